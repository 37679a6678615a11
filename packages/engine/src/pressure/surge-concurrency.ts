/**
 * pressure_mode 3, surge in users: each period P = time / loop_count runs `minimum` users for
 * P - max_duration seconds, then `maximum` users for `max_duration` seconds. Waveform: periodic.ts.
 */
import { PressureMode } from '@perftest/model';
import type { PressureModeImpl } from '../types.js';
import { periodicMode } from './periodic.js';

/** The surge mode in users. */
export const surgeConcurrency: PressureModeImpl = periodicMode(PressureMode.SurgeConcurrency, 'users', 'surge');
