// Progressive enhancement only: every page works without this script.
import { initAll as initGovuk } from "/static/vendor/govuk/govuk-frontend.min.js";
import { initAll as initMoj } from "/static/vendor/moj/moj-frontend.min.js";

initGovuk();
initMoj();
