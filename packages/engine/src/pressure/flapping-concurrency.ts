/**
 * pressure_mode 5, flapping in users: each period P = time / loop_count rises linearly from
 * `minimum` to `maximum` users over P/2 and falls back over P/2 (a triangle). Waveform: periodic.ts.
 */
import { PressureMode } from '@perftest/model';
import type { PressureModeImpl } from '../types.js';
import { periodicMode } from './periodic.js';

/** The flapping mode in users. */
export const flappingConcurrency: PressureModeImpl = periodicMode(PressureMode.FlappingConcurrency, 'users', 'flapping');
