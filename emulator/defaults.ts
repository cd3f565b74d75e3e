/** The emulator's default port, shared by its command line, `npm start` and the examples. */
export const DEFAULT_EMULATOR_PORT = 3333;
