import { IdParam } from '@hub/protocol';
import { defineParams } from '@sveltejs/kit/params';

export const params = defineParams({
  /** Ids in paths are UUIDs; the protocol's own schema decides (a zod schema is a Standard Schema). */
  uuid: IdParam.shape.id,
});
