/**
 * "Did you mean …?" for the command line: the model's one measure (`Nearest`), imported on its
 * own so the parser still starts without loading the rest of the model.
 */
export { closest, distance } from "@switchyard/model/nearest";
