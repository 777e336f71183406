/**
 * This device's preferences for one profile, kept in localStorage (not in the chat's backup: they
 * describe the device, not the person): the signaling server, extra STUN/TURN servers, and whether
 * to show notifications. Read once at start; the network ones take effect on the next load.
 */
export interface LocalSettings {
  /** ws:// or wss:// URL of the signaling server; '' = this site's own /signal. */
  signalUrl: string;
  /** Extra ICE servers, tried before the ones the signaling server hands out. */
  iceServers: RTCIceServer[];
  /** Show a notification for messages that arrive while the tab is hidden. */
  notifications: boolean;
  /** The person answered the "turn on notifications?" prompt (either way): do not ask again. */
  askedNotifications: boolean;
}

export const DEFAULT_LOCAL_SETTINGS: LocalSettings = { signalUrl: '', iceServers: [], notifications: false, askedNotifications: false };

const key = (profile: string): string => `p2p-chat:${profile}:settings`;

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

export function loadLocalSettings(profile: string): LocalSettings {
  try {
    const raw = storage()?.getItem(key(profile));
    if (!raw) return { ...DEFAULT_LOCAL_SETTINGS };
    const v = JSON.parse(raw) as Partial<LocalSettings>;
    return {
      signalUrl: typeof v.signalUrl === 'string' ? v.signalUrl : '',
      iceServers: Array.isArray(v.iceServers) ? v.iceServers.filter((s) => s && (typeof s.urls === 'string' || Array.isArray(s.urls))) : [],
      notifications: v.notifications === true,
      askedNotifications: v.askedNotifications === true,
    };
  } catch {
    return { ...DEFAULT_LOCAL_SETTINGS };
  }
}

export function saveLocalSettings(profile: string, patch: Partial<LocalSettings>): LocalSettings {
  const next = { ...loadLocalSettings(profile), ...patch };
  storage()?.setItem(key(profile), JSON.stringify(next));
  return next;
}

export function clearLocalSettings(profile: string): void {
  storage()?.removeItem(key(profile));
}

/** A signaling URL a person typed: '' or ws(s)://host[:port][/path]. Throws TypeError with what is wrong. */
export function checkSignalUrl(text: string): string {
  const t = text.trim();
  if (t === '') return '';
  let u: URL;
  try {
    u = new URL(t);
  } catch {
    throw new TypeError('That is not a web address. It looks like wss://chat.example.org/signal');
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:')
    throw new TypeError('The address must start with wss:// (or ws:// for a server on this computer)');
  return u.toString();
}

/**
 * STUN/TURN servers, one a line: `stun:<host>:<port>`, or `turn:<host>:<port> <username> <credential>`
 * (`turns:` too). Blank lines are skipped. Throws TypeError naming the first bad line.
 */
export function parseIceServers(text: string): RTCIceServer[] {
  const out: RTCIceServer[] = [];
  text.split('\n').forEach((line, i) => {
    const parts = line.trim().split(/\s+/).filter(Boolean);
    if (parts.length === 0) return;
    const [url, username, credential] = parts;
    if (!/^(stun|turns?):[^\s]+$/.test(url!)) throw new TypeError(`Line ${i + 1}: a server starts with stun:, turn: or turns:`);
    if (url!.startsWith('turn')) {
      if (!username || !credential || parts.length > 3)
        throw new TypeError(`Line ${i + 1}: a TURN server needs a username and a password after it`);
      out.push({ urls: url!, username, credential });
    } else {
      if (parts.length > 1) throw new TypeError(`Line ${i + 1}: a STUN server takes no username or password`);
      out.push({ urls: url! });
    }
  });
  return out;
}

export function formatIceServers(servers: readonly RTCIceServer[]): string {
  return servers
    .map((s) =>
      [Array.isArray(s.urls) ? s.urls[0] : s.urls, s.username, typeof s.credential === 'string' ? s.credential : undefined]
        .filter(Boolean)
        .join(' '),
    )
    .join('\n');
}
