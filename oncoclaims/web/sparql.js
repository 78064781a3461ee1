/* The SPARQL editor: YASGUI (vendor/yasgui) pointed at this server's /sparql, with everything
   that would reach another host switched off (see vendor/README.md). */
"use strict";

(() => {
  const endpoint = oc.url("sparql");
  const EXAMPLE = `PREFIX oc: <https://w3id.org/oncoclaims/vocab#>
PREFIX schema: <https://schema.org/>

# Every claim and its text (the default graph is the union of all named graphs)
SELECT ?claim ?text WHERE {
  ?claim a oc:Claim ;
         schema:text ?text .
}
ORDER BY ?text
LIMIT 100
`;

  // The "class" and "property" autocompleters query the LOV service on the web.
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];

  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint, method: "POST", acceptHeaderSelect: "application/sparql-results+json" },
    endpointCatalogueOptions: { getData: () => [{ endpoint }], keys: [] },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    populateFromUrl: false,
    yasqe: { value: EXAMPLE, prefixCcApi: null },
  });
  const tab = yasgui.getTab();
  tab.setEndpoint(endpoint);
  if (!tab.getYasqe().getValue().trim()) tab.getYasqe().setValue(EXAMPLE);
  window.ocYasgui = yasgui;
})();
