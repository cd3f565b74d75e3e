'use strict';
// Benchmark only (scenario R): the smallest Node-RED node that makes A's call, the same got
// client with a keep-alive agent, a fixed token and the payload as JSON. What R costs over A is
// what Node-RED itself costs; what B costs over R is what redox-send adds.
const http = require('node:http');

module.exports = function (RED) {
  function RawGot(def) {
    RED.nodes.createNode(this, def);
    const client = import('got').then(({ got }) =>
      got.extend({
        agent: { http: new http.Agent({ keepAlive: true, maxSockets: Number(def.concurrency) }) },
        retry: { limit: 0 },
        throwHttpErrors: false,
      }),
    );
    this.on('input', async (msg, send, done) => {
      const res = await (
        await client
      ).post(def.url, {
        body: JSON.stringify(msg.payload),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.credentials.token}` },
        responseType: 'json',
      });
      msg.payload = res.body;
      msg.statusCode = res.statusCode;
      send(msg);
      done();
    });
  }
  // The token is a credential, as the benchmark gives B's key and secret: never in the flow file.
  RED.nodes.registerType('bench-raw-got', RawGot, { credentials: { token: { type: 'password' } } });
};
