import { describeRegister } from "./register.cases";

// The hosted path: the app reaches its database through @prisma/adapter-libsql
// over HTTP, here to the Hrana stand-in (__tests__/support/hrana-server.ts).
describeRegister("hrana");
