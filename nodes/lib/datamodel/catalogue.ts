/**
 * Redox Data Models and their event types (../shared/redox-api.md section 4), with the top-level
 * keys beside Meta that Redox's JSON schemas require (../shared/redox-schemas). Used by the
 * request builder (a query takes one destination), by the emulator to validate requests, and by
 * the editor.
 */

export interface DataModelEntry {
  /** Asynchronous event types. */
  readonly events: readonly string[];
  /** Synchronous event types (queries): Redox answers them with results. */
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
      VisitMerge: ['Patient', 'Visit'],
    },
  },
  Scheduling: {
    events: ['New', 'Reschedule', 'Modification', 'Cancel', 'NoShow', 'PushSlots'],
    queries: ['AvailableSlots', 'Booked'],
    required: {
      New: ['Visit'],
      Reschedule: ['Visit'],
      Modification: ['Visit'],
      Cancel: ['Visit'],
      NoShow: ['Visit'],
      PushSlots: ['Slots'],
      AvailableSlots: ['StartDateTime'],
      Booked: ['StartDateTime'],
    },
  },
  SurgicalScheduling: {
    events: ['New', 'Reschedule', 'Modification', 'Cancel', 'NoShow'],
    queries: [],
    required: {
      New: ['Patient', 'Procedures', 'Visit'],
      Reschedule: ['Patient', 'Procedures', 'Visit'],
      Modification: ['Patient', 'Procedures', 'Visit'],
      Cancel: ['Visit', 'Patient', 'Procedures'],
      NoShow: ['Visit', 'Patient', 'Procedures'],
    },
  },
  Results: {
    events: ['New', 'NewUnsolicited'],
    queries: ['Query'],
    required: { New: ['Patient', 'Orders'], NewUnsolicited: ['Patient', 'Orders'] },
  },
  Order: {
    events: ['New', 'Update', 'Cancel', 'GroupedOrders'],
    queries: ['Query'],
    required: {
      New: ['Patient', 'Order'],
      Update: ['Patient', 'Order'],
      Cancel: ['Patient', 'Order'],
      GroupedOrders: ['Patient', 'Orders'],
    },
  },
  'Clinical Summary': {
    events: ['PatientPush', 'VisitPush'],
    queries: ['PatientQuery', 'VisitQuery', 'DocumentQuery', 'DocumentGet'],
    required: { PatientQuery: ['Patient'], VisitQuery: ['Patient'], DocumentQuery: ['Patient'], DocumentGet: ['Document'] },
  },
  PatientSearch: { events: [], queries: ['Query', 'LocationQuery'], required: { LocationQuery: ['Patient'] } },
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
  Financial: {
    events: ['Transaction', 'AccountUpdate'],
    queries: [],
    required: { Transaction: ['Patient', 'Transactions'], AccountUpdate: ['Patient'] },
  },
  Claim: { events: ['Submission', 'Payment'], queries: [], required: { Payment: ['Payments'] } },
  Device: { events: ['New'], queries: [], required: { New: ['Device', 'Observations'] } },
  Inventory: { events: ['Update', 'Deplete'], queries: [], required: { Update: ['Items'], Deplete: ['Items'] } },
  Medications: {
    events: ['New', 'Update', 'Cancel', 'Administration'],
    queries: [],
    required: {
      New: ['Patient', 'Order'],
      Update: ['Patient', 'Order'],
      Cancel: ['Patient', 'Order'],
      Administration: ['Patient', 'Administrations'],
    },
  },
  Vaccination: {
    events: ['New', 'Administration'],
    queries: ['PatientQuery'],
    required: { New: ['Patient', 'Vaccinations'], Administration: ['Patient', 'Vaccinations'] },
  },
  Referral: {
    events: ['New', 'Modify', 'Cancel', 'AuthReview', 'AuthResponse'],
    queries: ['Query'],
    required: {
      New: ['Patient'],
      Modify: ['Patient'],
      Cancel: ['Patient'],
      AuthReview: ['Patient'],
      AuthResponse: ['Patient'],
      Query: ['Patient'],
    },
  },
  Provider: {
    events: ['New', 'Update', 'Activate', 'Deactivate'],
    queries: ['ProviderQuery'],
    required: { New: ['Providers'], Update: ['Providers'], Activate: ['Providers'], Deactivate: ['Providers'] },
  },
  Organization: {
    events: ['New', 'Update'],
    queries: ['Query'],
    required: { New: ['Directory', 'Organizations'], Update: ['Action', 'Directory', 'Organizations'], Query: ['Directory'] },
  },
  PatientEducation: {
    events: ['New', 'Update', 'Delete'],
    queries: [],
    required: { New: ['Patient', 'Education'], Update: ['Patient', 'Education'], Delete: ['Patient', 'Education'] },
  },
  Research: { events: ['Study', 'SubjectUpdate'], queries: [] },
  ClinicalDecisions: {
    events: [],
    queries: ['Request'],
    required: { Request: ['Patient', 'UnsignedMedicationOrders', 'UnsignedProcedureOrders'] },
  },
  SSO: { events: [], queries: ['Sign-on'], required: { 'Sign-on': ['Subject', 'Expiration', 'IssuedAt'] } },
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
