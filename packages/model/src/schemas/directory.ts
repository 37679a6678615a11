/** The case tree of a test suite, reference 4.7.1 (SDK model `project_directory.py`). */
import { Type, type Static } from '@sinclair/typebox';

/** `type` of a tree entry: 1 a directory, 2 a case. */
export const DIRECTORY_ENTRY_TYPE = { directory: 1, case: 2 } as const;

/** One entry of the tree; `parent_id` 0 is the root. */
export const ProjectDirectory = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  status: Type.Integer(),
  create_time: Type.String(),
  update_time: Type.String(),
  parent_id: Type.Integer(),
  type: Type.Integer(),
});
export type ProjectDirectory = Static<typeof ProjectDirectory>;
