// Opens YASGUI on this server's endpoint, with the project's prefixes for
// completion (served by us, not prefix.cc) and the named queries as example tabs.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var Yasqe = window.Yasgui.Yasqe;
  Yasqe.defaults.prefixCcApi = config.prefixesUrl;
  // The class and property completers ask a third-party service (LOV): not from here.
  Yasqe.defaults.autocompleters = Yasqe.defaults.autocompleters.filter(function (name) {
    return name !== "class" && name !== "property";
  });
  var yasgui = new window.Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: config.endpoint }]; },
      keys: [],
    },
    persistenceId: "policykg",
  });
  // Example tabs are added once per browser; later visits keep the user's own tabs.
  var flag = "policykg-editor-examples";
  if (!window.localStorage.getItem(flag)) {
    yasgui.getTab().setQuery(config.start);
    config.examples.forEach(function (example) {
      yasgui.addTab(false, { name: example.name, yasqe: { value: example.query } });
    });
    window.localStorage.setItem(flag, "1");
  }
  // A link such as /editor?named=goals opens that question in a tab of its own.
  if (config.open) {
    yasgui.addTab(true, { name: config.open.name, yasqe: { value: config.open.query } });
  }
})();
