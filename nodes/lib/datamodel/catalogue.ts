/**
 * Redox Data Models and their event types (../shared/redox-api.md section 4).
 * Used to route queries to /query, by the emulator to validate requests, and by the editor.
 */

export interface DataModelEntry {
  /** Asynchronous event types, sent to /endpoint. */
  readonly events: readonly string[];
  /** Synchronous event types (queries), sent to /query. */
  readonly queries: readonly string[];
  /** Top-level keys beside Meta that Redox's schemas require, per event type ('*' for all). */
  readonly required?: Readonly<Record<string, readonly string[]>>;
}

export const DATA_MODELS: Readonly<Record<string, DataModelEntry>> = {
  PatientAdmin: {
    events: [
      'Arrival',
      'Cancel',
      'Discharge',
      'NewPatient',
      'PatientUpdate',
      'PatientMerge',
      'PreAdmit',
      'Registration',
      'Transfer',
      'VisitUpdate',
      'VisitMerge',
    ],
    queries: ['CensusQuery', 'VisitQuery'],
    required: {
      Arrival: ['Patient'],
      Cancel: ['Patient'],
      Discharge: ['Patient'],
      NewPatient: ['Patient'],
      PatientUpdate: ['Patient'],
      PatientMerge: ['Patient'],
      PreAdmit: ['Patient'],
      Registration: ['Patient'],
      Transfer: ['Patient'],
      VisitUpdate: ['Patient'],
      VisitMerge: ['Patient'],
    },
  },
  Scheduling: {
    events: ['New', 'Reschedule', 'Modification', 'Cancel', 'NoShow', 'PushSlots'],
    queries: ['AvailableSlots', 'Booked'],
    required: { New: ['Visit'], Reschedule: ['Visit'], Modification: ['Visit'], Cancel: ['Visit'], NoShow: ['Visit'] },
  },
  SurgicalScheduling: { events: ['New', 'Reschedule', 'Modification', 'Cancel', 'NoShow'], queries: [] },
  Results: {
    events: ['New', 'NewUnsolicited'],
    queries: ['Query'],
    required: { New: ['Patient', 'Orders'] },
  },
  Order: {
    events: ['New', 'Update', 'Cancel', 'GroupedOrders'],
    queries: ['Query'],
    required: { New: ['Patient', 'Order'], Update: ['Patient', 'Order'], Cancel: ['Patient', 'Order'] },
  },
  'Clinical Summary': {
    events: ['PatientPush', 'VisitPush'],
    queries: ['PatientQuery', 'VisitQuery', 'DocumentQuery', 'DocumentGet'],
    required: { PatientQuery: ['Patient'], DocumentGet: ['Document'] },
  },
  PatientSearch: { events: [], queries: ['Query', 'LocationQuery'] },
  Notes: {
    events: ['New', 'Replace', 'Delete'],
    queries: ['Query'],
    required: { New: ['Patient', 'Note'], Replace: ['Patient', 'Note'], Delete: ['Patient', 'Note'] },
  },
  Media: {
    events: ['New', 'Replace', 'Delete'],
    queries: ['Query'],
    required: { New: ['Patient', 'Media'], Replace: ['Patient', 'Media'], Delete: ['Patient', 'Media'] },
  },
  Flowsheet: { events: ['New'], queries: [], required: { New: ['Patient', 'Observations'] } },
  Financial: { events: ['Transaction', 'AccountUpdate'], queries: [] },
  Claim: { events: ['Submission', 'Payment'], queries: [] },
  Device: { events: ['New'], queries: [] },
  Inventory: { events: ['Update', 'Deplete'], queries: [] },
  Medications: { events: ['New', 'Update', 'Cancel', 'Administration'], queries: [] },
  Vaccination: { events: ['New', 'Administration'], queries: ['PatientQuery'] },
  Referral: { events: ['New', 'Modify', 'Cancel', 'AuthReview', 'AuthResponse'], queries: ['Query'] },
  Provider: { events: ['New', 'Update', 'Activate', 'Deactivate'], queries: ['ProviderQuery'] },
  Organization: { events: ['New', 'Update'], queries: ['Query'] },
  PatientEducation: { events: ['New', 'Update', 'Delete'], queries: [] },
  Research: { events: ['Study', 'SubjectUpdate'], queries: [] },
  ClinicalDecisions: { events: [], queries: ['Request'] },
  SSO: { events: [], queries: ['Sign-on'] },
};

function entryFor(dataModel: string): DataModelEntry | undefined {
  return Object.prototype.hasOwnProperty.call(DATA_MODELS, dataModel) ? DATA_MODELS[dataModel] : undefined;
}

/** True when the event type is one of Redox's synchronous queries. Unknown pairs count as asynchronous. */
export function isQuery(dataModel: string, eventType: string): boolean {
  return entryFor(dataModel)?.queries.includes(eventType) ?? false;
}

/** True when the catalogue knows the pair. */
export function isKnownEvent(dataModel: string, eventType: string): boolean {
  const entry = entryFor(dataModel);
  return entry !== undefined && (entry.events.includes(eventType) || entry.queries.includes(eventType));
}

/** The top-level keys Redox requires beside Meta for the pair (empty when none are known). */
export function requiredKeys(dataModel: string, eventType: string): readonly string[] {
  const required = entryFor(dataModel)?.required;
  if (!required || !Object.prototype.hasOwnProperty.call(required, eventType)) return [];
  return required[eventType];
}
