/** The sample data the emulator answers queries with: Redox's own test patient and destinations. */

export { SAMPLE_DESTINATIONS, SAMPLE_SOURCE } from '../nodes/lib/datamodel/sample-destinations';

export const SAMPLE_PATIENT = {
  Identifiers: [
    { ID: '0000000001', IDType: 'MR' },
    { ID: 'e167267c-16c9-4fe3-96ae-9cff5703e90a', IDType: 'EHRID' },
    { ID: 'a1d4ee8aba494ca', IDType: 'NIST' },
  ],
  Demographics: {
    FirstName: 'Timothy',
    MiddleName: 'Paul',
    LastName: 'Bixby',
    DOB: '2008-01-06',
    SSN: '101-01-0001',
    Sex: 'Male',
    Race: 'White',
    IsHispanic: null,
    MaritalStatus: 'Single',
    IsDeceased: null,
    DeathDateTime: null,
    PhoneNumber: { Home: '+18088675301', Office: null, Mobile: null },
    EmailAddresses: [],
    Language: 'en',
    Citizenship: [],
    Address: {
      StreetAddress: '4762 Hickory Street',
      City: 'Monroe',
      State: 'WI',
      ZIP: '53566',
      County: 'Green',
      Country: 'US',
    },
  },
  Notes: [],
};

/** The patients a PatientSearch finds among. */
export const SAMPLE_PATIENTS = [SAMPLE_PATIENT];

type Searched = { Demographics?: Record<string, unknown>; Identifiers?: Array<{ ID?: unknown }> };

/**
 * Does a PatientSearch query's Patient block match this patient? By identifier when the query
 * names any, else by the demographics it gives (first name, last name, date of birth; letter case
 * ignored). A query that names neither matches no one.
 */
function matches(patient: typeof SAMPLE_PATIENT, query: Searched): boolean {
  const ids = Array.isArray(query.Identifiers) ? query.Identifiers.map((i) => i?.ID).filter((id) => typeof id === 'string') : [];
  if (ids.length > 0) return ids.some((id) => patient.Identifiers.some((known) => known.ID === id));
  const d = query.Demographics ?? {};
  const given = (['FirstName', 'LastName', 'DOB'] as const).filter((f) => d[f] !== undefined && d[f] !== null && d[f] !== '');
  return given.length > 0 && given.every((f) => String(d[f]).toLowerCase() === String(patient.Demographics[f]).toLowerCase());
}

/** The sample patient a PatientSearch query finds, if any. */
export function findSamplePatient(query: unknown): typeof SAMPLE_PATIENT | undefined {
  if (query === null || typeof query !== 'object') return undefined;
  return SAMPLE_PATIENTS.find((patient) => matches(patient, query as Searched));
}

export const SAMPLE_CLINICAL_SUMMARY = {
  Header: {
    Document: {
      Author: { ID: '4356789876', IDType: 'NPI', FirstName: 'Pat', LastName: 'Granite', Type: null, Credentials: ['MD'] },
      ID: 'c2a8e4d2-1a04-4fd5-9e2f-5c0b4b6c1b7f',
      Locale: 'US',
      Title: 'Community Health and Hospitals: Health Summary',
      DateTime: '2012-09-12T00:00:00.000Z',
      Type: 'Summarization of episode note',
      Visit: null,
    },
    Patient: { Identifiers: SAMPLE_PATIENT.Identifiers, Demographics: SAMPLE_PATIENT.Demographics },
  },
  AllergyText: 'Allergies',
  Allergies: [
    {
      Type: { Code: '419511003', CodeSystem: '2.16.840.1.113883.6.96', Name: 'Propensity to adverse reaction to drug' },
      Substance: { Code: '2670', CodeSystem: '2.16.840.1.113883.6.88', Name: 'Codeine' },
      Reaction: [{ Code: '247472004', CodeSystem: '2.16.840.1.113883.6.96', Name: 'Wheal' }],
      Severity: { Code: '371924009', CodeSystem: '2.16.840.1.113883.6.96', Name: 'Moderate to severe' },
      Status: { Code: '55561003', CodeSystem: '2.16.840.1.113883.6.96', Name: 'Active' },
      StartDate: null,
      EndDate: null,
    },
  ],
  MedicationsText: 'Medications',
  Medications: [
    {
      Prescription: false,
      FreeTextSig: null,
      Dose: { Quantity: '0.09', Units: 'mg/actuat' },
      Rate: { Quantity: null, Units: null },
      Route: { Code: 'C38216', CodeSystem: '2.16.840.1.113883.3.26.1.1', Name: 'RESPIRATORY (INHALATION)' },
      StartDate: '2012-08-06T05:00:00.000Z',
      EndDate: '2012-08-13T05:00:00.000Z',
      Frequency: { Period: '12', Unit: 'h' },
      Product: { Code: '573621', CodeSystem: '2.16.840.1.113883.6.88', Name: 'Albuterol 0.09 MG/ACTUAT inhalant solution' },
    },
  ],
  ProblemsText: 'Problems',
  Problems: [
    {
      StartDate: '2012-08-06T00:00:00.000Z',
      EndDate: null,
      Code: '233604007',
      CodeSystem: '2.16.840.1.113883.6.96',
      Name: 'Pneumonia',
      Category: { Code: '55607006', CodeSystem: '2.16.840.1.113883.6.96', Name: 'Problem' },
      Status: { Code: '55561003', CodeSystem: '2.16.840.1.113883.6.96', Name: 'Active' },
    },
  ],
};
