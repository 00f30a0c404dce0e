// Show or hide a language's column; nothing is stored, nothing is fetched.
document.querySelectorAll(".lang-toggle").forEach(function (box) {
  box.addEventListener("change", function () {
    document.querySelectorAll('.phone[data-locale="' + box.value + '"]').forEach(function (phone) {
      phone.hidden = !box.checked;
    });
  });
});
