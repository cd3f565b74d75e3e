// Node-RED's settings for `npm start`: the defaults, less the two dialogs that would open over the
// quick-start flow the first time (the update-notification consent and the welcome tour).
'use strict';
module.exports = {
  flowFile: 'flows.json',
  uiHost: '127.0.0.1',
  telemetry: { enabled: false, updateNotification: false },
  editorTheme: { tours: false },
};
