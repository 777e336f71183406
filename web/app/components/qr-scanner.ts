/**
 * Scan a QR code with the camera, where the browser has BarcodeDetector (Chrome on Android,
 * macOS, ChromeOS). Fires `scanned` with the text of the first QR code seen, then stops the camera.
 */
import { LitElement, css, html, nothing } from 'lit';
import { controls } from '../styles';

interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: HTMLVideoElement): Promise<DetectedBarcode[]>;
}
type BarcodeDetectorCtor = new (opts: { formats: string[] }) => BarcodeDetectorLike;

export function barcodeDetector(): BarcodeDetectorCtor | undefined {
  return (globalThis as { BarcodeDetector?: BarcodeDetectorCtor }).BarcodeDetector;
}

export class QrScanner extends LitElement {
  static override properties = { error: { state: true } };
  declare error: string;
  private stream: MediaStream | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  static override styles = [
    controls,
    css`
      :host {
        display: grid;
        gap: 0.5rem;
      }
      video {
        width: 100%;
        max-width: 20rem;
        border-radius: var(--radius);
        background: #000;
      }
    `,
  ];

  constructor() {
    super();
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop();
  }

  override render() {
    return html`<video muted playsinline aria-label="Camera view for scanning a QR code"></video>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}`;
  }

  private async start(): Promise<void> {
    const Detector = barcodeDetector();
    if (!Detector) {
      this.error = 'This browser cannot scan QR codes. Paste the link instead.';
      return;
    }
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    } catch {
      this.error = 'The camera could not be opened. Allow camera access, or paste the link instead.';
      return;
    }
    await this.updateComplete;
    const video = this.renderRoot.querySelector('video')!;
    video.srcObject = this.stream;
    await video.play().catch(() => {});
    const detector = new Detector({ formats: ['qr_code'] });
    const tick = async (): Promise<void> => {
      if (!this.stream) return;
      try {
        const [code] = await detector.detect(video);
        if (code?.rawValue) {
          this.stop();
          this.dispatchEvent(new CustomEvent('scanned', { detail: code.rawValue, bubbles: true, composed: true }));
          return;
        }
      } catch {
        // a frame that could not be read; try the next
      }
      this.timer = setTimeout(() => void tick(), 250);
    };
    void tick();
  }

  private stop(): void {
    clearTimeout(this.timer);
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = undefined;
  }
}
customElements.define('qr-scanner', QrScanner);

declare global {
  interface HTMLElementTagNameMap {
    'qr-scanner': QrScanner;
  }
}
