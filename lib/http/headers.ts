/**
 * server.ts stamps the socket's address into this header (overwriting anything
 * a client sent) before Next sees the request.
 */
export const CLIENT_IP_HEADER = "x-communisp-client-ip";
