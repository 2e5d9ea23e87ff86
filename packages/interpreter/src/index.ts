/** The effect interpreter: ports, their live and in-memory layers, observation and apply. */
export * as Apply from "./Apply.js";
export * as Durable from "./Durable.js";
export { ApplyFailed, LockHeld, ObserveError, StalePlan } from "./Errors.js";
export * as Links from "./Links.js";
export * as Lock from "./Lock.js";
export * as MemoryServiceManager from "./MemoryServiceManager.js";
export * as Observe from "./Observe.js";
export * as Root from "./Root.js";
export * as Steps from "./Steps.js";
export { NodeClockLive, fixedClock } from "./NodeClock.js";
export { NodeFileSystemLive } from "./NodeFileSystem.js";
export { NodeProcessRunnerLive } from "./NodeProcessRunner.js";
export { NoServiceManagerLive } from "./NoServiceManager.js";
export { Clock } from "./ports/Clock.js";
export { FileSystem, FsError } from "./ports/FileSystem.js";
export { ProcessRunner, ProcessError } from "./ports/ProcessRunner.js";
export { ServiceError, ServiceManager } from "./ports/ServiceManager.js";
