// Optional: tells the form of this link, in this tab, that the answers it sent last went
// through (form.js then says so if Back shows the form again). Only the page's random
// one-time token is kept, in sessionStorage: it names nobody and goes with the tab. The answers
// form.js kept in the tab for a reload are forgotten when this tab sent them.
(function () {
  "use strict";
  var thanks = document.getElementById("thanks");
  var link = thanks && thanks.getAttribute("data-link");
  if (!link) {
    return;
  }
  try {
    var pending = window.sessionStorage.getItem("soko-pending:" + link);
    if (pending) {
      // This tab sent them: its kept answers went through. Another tab of the link shown the
      // thank-you page (the browser's "sent" cookie) keeps its own, unsent.
      window.sessionStorage.removeItem("soko-answers:" + link);
      window.sessionStorage.setItem("soko-sent:" + link, pending);
      window.sessionStorage.removeItem("soko-pending:" + link);
    }
  } catch (e) {
    // No storage: the server still refuses a second post of the same page.
  }
})();
