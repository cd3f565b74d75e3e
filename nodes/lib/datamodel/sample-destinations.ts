/**
 * The emulator's destinations: Redox's own sample IDs (../shared/redox-api.md section 4) and the
 * emulator's own. The emulator answers for them, and the send dialog offers them when the
 * connection points at the emulator.
 */

export interface SampleDestination {
  readonly ID: string;
  readonly Name: string;
  /** The emulator answers this destination's queries after this long (as a slow EHR would). */
  readonly queryDelayMs?: number;
}

/** The source Redox's examples send as. */
export const SAMPLE_SOURCE = { ID: '7ce6f387-c33c-417d-8682-81e83628cbd9', Name: 'Redox Dev Tools' };

/**
 * The first two are Redox's own sample destinations; the scheduling one is the emulator's, since
 * Redox's "Patient Search Endpoint" is for patient searches. The slow one lets flows see a query
 * time out.
 */
export const SAMPLE_DESTINATIONS: readonly SampleDestination[] = [
  { ID: 'af394f14-b34a-464f-8d24-895f370af4c9', Name: 'Redox EMR' },
  { ID: '0f4bd1d1-451d-4351-8cfd-b767d1b488d6', Name: 'Patient Search Endpoint' },
  { ID: 'c5d0e7a2-3b1f-4e8c-9a6d-2f4b8e1c7d93', Name: 'Redox Scheduling (emulator)' },
  { ID: 'b6ad4ea3-8f3a-4f2b-9a39-6c4c8f6e1d52', Name: 'Slow EMR (answers queries after 5 s)', queryDelayMs: 5000 },
];
