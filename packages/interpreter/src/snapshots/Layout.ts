/**
 * Where snapshots live: `<stateDir>/snapshots/<id>/` once committed, built in the hidden sibling
 * `.<id>.partial`, with a service's dump gathered in `.<id>.dump` and an archive opened in
 * `.<id>.open-…`. Hidden names are never part of the catalogue.
 */
import { World } from "@switchyard/model";
import * as Root from "../root/Root.js";

export const dir = (root: Root.Root): string => Root.host(root, `${World.Paths.stateDir}/snapshots`);
export const committed = (root: Root.Root, id: string): string => `${dir(root)}/${id}`;
export const partial = (root: Root.Root, id: string): string => `${dir(root)}/.${id}.partial`;
export const dump = (root: Root.Root, id: string): string => `${dir(root)}/.${id}.dump`;
export const scratch = (root: Root.Root, id: string, use: string): string => `${dir(root)}/.${id}.open-${use}`;

/** A name in the snapshots directory that is no committed snapshot (staging, dumps, scratch). */
export const isHidden = (name: string): boolean => name.startsWith(".");
