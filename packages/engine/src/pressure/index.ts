/**
 * The explicit map from `pressure_mode` to its implementation. Each mode lives in the file named
 * after it and is listed in PRESSURE_MODE_IMPLS below, once; `createPressureRegistry` refuses a mode
 * registered twice.
 */
import type { PressureMode } from '@perftest/model';
import type { PressureModeImpl } from '../types.js';
import { concurrency } from './concurrency.js';
import { tps } from './tps.js';
import { peakLoad } from './peak-load.js';
import { surgeConcurrency } from './surge-concurrency.js';
import { surgeTps } from './surge-tps.js';
import { flappingConcurrency } from './flapping-concurrency.js';
import { flappingTps } from './flapping-tps.js';
import { intelligentPeak } from './intelligent/intelligent-peak.js';

/** Every pressure mode, one entry per `pressure_mode` value. */
export const PRESSURE_MODE_IMPLS: readonly PressureModeImpl[] = [
  concurrency,
  tps,
  peakLoad,
  surgeConcurrency,
  surgeTps,
  flappingConcurrency,
  flappingTps,
  intelligentPeak,
];

/** Builds a registry by mode; throws when two implementations claim the same mode. */
export function createPressureRegistry(impls: readonly PressureModeImpl[]): ReadonlyMap<PressureMode, PressureModeImpl> {
  const registry = new Map<PressureMode, PressureModeImpl>();
  for (const impl of impls) {
    if (registry.has(impl.mode)) throw new Error(`pressure mode ${impl.mode} is registered twice`);
    registry.set(impl.mode, impl);
  }
  return registry;
}

const REGISTRY = createPressureRegistry(PRESSURE_MODE_IMPLS);

/** The implementation of a `pressure_mode`, or undefined for an unknown mode. */
export function pressureModeFor(mode: number): PressureModeImpl | undefined {
  return REGISTRY.get(mode as PressureMode);
}
