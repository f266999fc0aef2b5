import "@testing-library/jest-dom";
import { TextDecoder, TextEncoder } from "node:util";

// jsdom leaves out the Encoding API, which every browser has.
Object.assign(globalThis, { TextEncoder, TextDecoder });
