// Intake form: when the operator picks a category, preselect its default urgency (they may change it).
document.addEventListener("change", function (event) {
  var select = event.target;
  if (!select.classList || !select.classList.contains("js-category") || !select.form) {
    return;
  }
  var option = select.options[select.selectedIndex];
  var urgency = select.form.querySelector(".js-urgency");
  if (option && urgency && option.dataset.urgency) {
    urgency.value = option.dataset.urgency;
  }
});
