/**
 * pressure_mode 6, flapping in TPS: as mode 5 with `minimum` and `maximum` in iterations per
 * second; `issue_num` is the ceiling of the user pool. Waveform: periodic.ts.
 */
import { PressureMode } from '@perftest/model';
import type { PressureModeImpl } from '../types.js';
import { periodicMode } from './periodic.js';

/** The flapping mode in TPS. */
export const flappingTps: PressureModeImpl = periodicMode(PressureMode.FlappingTps, 'tps', 'flapping');
