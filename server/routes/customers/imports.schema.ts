import { z } from 'zod';
import { importPolicies } from '../../domain/vocabulary.js';
import type { ReceivedFile } from '../../http/uploads.js';

/** An import's id in the address; another person's or organisation's answers 404. */
export const importParams = z.object({ id: z.string() });

/** The CSV the upload surface spooled to disk (server/http/file-surfaces.ts). */
const uploadedCsv = z.custom<ReceivedFile>((v) => typeof (v as ReceivedFile | undefined)?.filePath === 'string');

/** The API names the policy in the address (the body is the CSV); an unknown one is refused before the file is read. */
export const importApiQuery = z.object({ policy: z.enum(importPolicies).default('skip') });
export const importApiBody = z.object({ file: uploadedCsv });

/** The page's radio buttons: anything but a known policy means the default. */
export const importFormBody = z.object({ policy: z.enum(importPolicies).catch('skip'), file: uploadedCsv });
