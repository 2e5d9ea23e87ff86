/**
 * The line an apply with no service manager ends with: how many service steps, and how many state
 * steps with them, were only recorded. The state steps go with the service steps: nothing was
 * really stopped, so no snapshot would have been taken of quiesced data.
 */
import type { Apply } from "@switchyard/interpreter";

const count = (n: number, noun: string): string => `${n} ${noun} step${n === 1 ? "" : "s"}`;

export const line = (report: Pick<Apply.ApplyReport, "servicesRecorded" | "stateRecorded">): string | null => {
  const services = report.servicesRecorded;
  const state = report.stateRecorded ?? 0;
  if (services === 0 && state === 0) return null;
  const what = state === 0 ? count(services, "service") : services === 0 ? count(state, "state") : `${count(services, "service")} and ${count(state, "state")}`;
  return `${what} recorded, not executed: there is no service manager (--service-manager none)`;
};
