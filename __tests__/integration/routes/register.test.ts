import { describeRegister } from "./register.cases";

describeRegister("file");
