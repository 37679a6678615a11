/**
 * pressure_mode 4, surge in TPS: as mode 3 with `minimum` and `maximum` in iterations per second;
 * `issue_num` is the ceiling of the user pool. Waveform: periodic.ts.
 */
import { PressureMode } from '@perftest/model';
import type { PressureModeImpl } from '../types.js';
import { periodicMode } from './periodic.js';

/** The surge mode in TPS. */
export const surgeTps: PressureModeImpl = periodicMode(PressureMode.SurgeTps, 'tps', 'surge');
