/** The snapshot store: save, list, open, check and forget snapshots of services' state. */
export * as Catalogue from "./Catalogue.js";
export * as Check from "./Check.js";
export * as Forget from "./Forget.js";
export * as Layout from "./Layout.js";
export * as Open from "./Open.js";
export * as Save from "./Save.js";
export { SnapshotError } from "./SnapshotError.js";
export * as SnapshotConfig from "./SnapshotConfig.js";
