import { describeDevices } from "./devices.cases";

describeDevices("file");
