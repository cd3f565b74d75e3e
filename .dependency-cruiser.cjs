// The import directions of nodes/lib (docs/development.md): node-red/ -> connection.ts -> auth/ ->
// transport/, and connection.ts -> datamodel/; connection.ts -> cluster/ (state shared through Redis)
// -> auth/; node-red/ -> receive/ (Redox calling in); shared/ is for everyone and imports none of them.
// `npm run lint` checks them, and that nothing imports in a circle.
'use strict';

const LIB = '^nodes/lib';

/** A rule that forbids `from` to import `to`. */
const forbid = (name, comment, from, to) => ({ name, comment, severity: 'error', from: { path: from }, to: { path: to } });

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'Modules that import each other in a circle.', severity: 'error', from: {}, to: { circular: true } },
    forbid(
      'shared-stays-small',
      'shared/ holds values every layer uses; it depends on no layer.',
      `${LIB}/shared/`,
      `${LIB}/(node-red|auth|transport|datamodel|connection|receive|cluster)`,
    ),
    forbid(
      'transport-is-the-bottom',
      'transport/ speaks HTTP and knows nothing above it.',
      `${LIB}/transport/`,
      `${LIB}/(node-red|auth|datamodel|connection)`,
    ),
    forbid('auth-below-connection', 'auth/ uses transport/ only.', `${LIB}/auth/`, `${LIB}/(node-red|datamodel|connection)`),
    forbid(
      'datamodel-is-pure',
      'datamodel/ builds and reads Redox messages without I/O.',
      `${LIB}/datamodel/`,
      `${LIB}/(node-red|auth|transport|connection)`,
    ),
    forbid(
      'cluster-below-connection',
      "cluster/ shares a connection's token and budget through Redis; it knows no connection, data model or Node-RED.",
      `${LIB}/cluster/`,
      `${LIB}/(node-red|datamodel|connection|receive)`,
    ),
    forbid(
      'lower-layers-without-cluster',
      'auth/ and transport/ know nothing of sharing.',
      `${LIB}/(auth|transport|datamodel)/`,
      `${LIB}/cluster/`,
    ),
    forbid(
      'receive-stands-alone',
      'receive/ reads what Redox sends to a destination; it needs no connection, token or Node-RED.',
      `${LIB}/receive/`,
      `${LIB}/(node-red|auth|transport|datamodel|connection)`,
    ),
    forbid('connection-below-node-red', 'The connection knows nothing of Node-RED.', `${LIB}/connection`, `${LIB}/node-red/`),
    forbid('lib-below-nodes', 'The node files use lib/, never the other way.', `${LIB}/`, '^nodes/redox-[^/]+$'),
    forbid('nodes-without-emulator', 'The nodes never load the emulator.', '^nodes/', '^emulator/'),
    forbid(
      'emulator-without-node-red',
      'The emulator shares Redox knowledge, not Node-RED glue.',
      '^emulator/',
      '^nodes/(redox-|lib/node-red/|lib/connection)',
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|test|bench|scripts)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
