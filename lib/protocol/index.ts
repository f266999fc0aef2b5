export { decodeFrame, encodeFrame, frameSchema, type DecodeResult, type Frame, type FrameType } from "./codec";
export { chatTextSchema, type AckFrame, type ChatFrame, type ChatTextRule } from "./frames";
export { MAX_FRAME_BYTES, MAX_TEXT_BYTES, MAX_WIRE_BYTES, MESSAGE_ID_PATTERN } from "./limits";
export * from "./relay-frames";
