import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// Every schema in protocol/ is built from this `z`, so each can carry its OpenAPI name and example.
extendZodWithOpenApi(z);

export { z };
