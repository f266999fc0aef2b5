// An init script for pages whose peer connections a test must reach: every
// RTCPeerConnection the page makes is kept in window.__peerConnections (an
// observer: it changes nothing), so a test can read its candidates or cut it.

export const RECORD_PEER_CONNECTIONS = `(() => {
  const Native = window.RTCPeerConnection;
  const made = (window.__peerConnections = []);
  function Recorded(...args) { const pc = new Native(...args); made.push(pc); return pc; }
  Recorded.prototype = Native.prototype;
  Object.setPrototypeOf(Recorded, Native);
  window.RTCPeerConnection = Recorded;
})();`;
