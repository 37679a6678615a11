/**
 * Tasks and cases: directories get an update time (the case tree reports one), and a task's cases
 * are read in their position order.
 */
export const up = `
alter table directories add column updated_at timestamptz not null default now();
create index directories_suite on directories(test_suite_id, id);
create index task_cases_order on task_cases(task_id, position, case_id);
`;
