// Optional: tells the form of this link, in this tab, that the answers it sent last went
// through (form.js then says so if Back shows the form again). Only the page's random
// one-time token is kept, in sessionStorage: it names nobody and goes with the tab. The answers
// form.js kept in the tab for a reload are forgotten: they went through.
(function () {
  "use strict";
  var thanks = document.getElementById("thanks");
  var link = thanks && thanks.getAttribute("data-link");
  if (!link) {
    return;
  }
  try {
    window.sessionStorage.removeItem("soko-answers:" + link);
    var pending = window.sessionStorage.getItem("soko-pending:" + link);
    if (pending) {
      window.sessionStorage.setItem("soko-sent:" + link, pending);
      window.sessionStorage.removeItem("soko-pending:" + link);
    }
  } catch (e) {
    // No storage: the server still refuses a second post of the same page.
  }
})();
