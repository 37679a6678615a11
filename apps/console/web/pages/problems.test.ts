/** Compile problems read out of the API's error messages. */
import { describe, expect, it } from 'vitest';
import { problemsOf } from './problems.js';

describe('problemsOf', () => {
  it('lists the compile problems of a refused start or debug by path', () => {
    expect(problemsOf('the case cannot run: contents[0].content[0].content.url: url is missing; stages[1].loop_count: must be a positive integer (the attempt is recorded as task_run_id 4, run_status 3)')).toEqual([
      { path: 'contents[0].content[0].content.url', message: 'url is missing' },
      { path: 'stages[1].loop_count', message: 'must be a positive integer' },
    ]);
    expect(problemsOf('stages[0].pressure_mode must be <= 7')).toEqual([{ path: 'stages[0].pressure_mode', message: 'must be <= 7' }]);
    expect(problemsOf('case 7 does not exist')).toEqual([]);
  });
});
