/**
 * simple-peer's prebuilt UMD bundle: the same simple-peer 9 code with its Node-stream,
 * Buffer and events dependencies bundled in. We import it on every platform so the browser
 * build needs no Node polyfills (importing 'simple-peer' directly makes vite externalize
 * "events" and the page breaks), and Node still passes `wrtc` through the options.
 */
declare module 'simple-peer/simplepeer.min.js' {
  import SimplePeer from 'simple-peer';
  export default SimplePeer;
}
