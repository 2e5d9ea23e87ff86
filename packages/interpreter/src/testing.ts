/**
 * The in-memory twins of the ports, for tests only (`@switchyard/interpreter/testing`): a file
 * system that models durability and crashes, a service manager with injectable failures, and a
 * scripted process runner.
 * Nothing in the packages imports this module; the dependency rule enforces it.
 */
export * as MemoryFileSystem from "./memory/MemoryFileSystem.js";
export * as MemoryServiceManager from "./memory/MemoryServiceManager.js";
export * as MemoryProcessRunner from "./memory/MemoryProcessRunner.js";
