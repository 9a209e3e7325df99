"""Create or edit a product (managers only): every field checked as it is typed, the reason shown under it, and
the save (F2, or Enter on the last field) going through the outbox with the version the edit was based on.

Anyone else who reaches the form is told it is for managers and sees no fields: the keys that open it are not
offered to them, and shop-api refuses their writes too.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Checkbox, Input, Label, Static

from common.display import printable
from common.money import minor_units
from console.counter.fields import FormErrors
from console.counter.product_form import FIELDS, LABELS, ProductForm, Saved
from offline_cache.models import Product
from screens.base import background
from screens.counter_form import CounterFormScreen
from screens.products import is_manager

REFUSED = "Only a manager may create or edit products."
HINTS = {
    "name": "",
    "sku": "unique in the shop",
    "barcode": "EAN-13, UPC-A, EAN-8 or a shop code; empty for none",
    "category": "",
    "price": "",
    "tax_rate": "percent, e.g. 8.25",
}


class ProductFormScreen(ModalScreen[Product | None], CounterFormScreen):  # type: ignore[misc]
    BINDINGS: ClassVar = [
        Binding("escape", "cancel", "Cancel", id="product_form.cancel"),
        Binding("enter", "next_field", "Next field", show=False, priority=True, id="product_form.next"),
        Binding("f2", "save", "Save", id="product_form.save"),
    ]

    class Loaded(Message):
        def __init__(self, product: Product | None, categories: list[str], missing: bool) -> None:
            super().__init__()
            self.product = product
            self.categories = categories
            self.missing = missing

    class Checked(Message):
        def __init__(self, field: str, error: str | None) -> None:
            super().__init__()
            self.field = field
            self.error = error

    class Done(Message):
        def __init__(self, saved: Saved | None, errors: dict[str, str]) -> None:
            super().__init__()
            self.saved = saved
            self.errors = errors

    def __init__(self, product_id: str | None) -> None:
        super().__init__()
        self.product_id = product_id
        self.form: ProductForm | None = None
        self.saving = False

    def compose(self) -> ComposeResult:
        allowed = is_manager(self)
        with Vertical(id="product-form", classes="dialog"):
            yield Static(Content("New product" if self.product_id is None else "Edit product"), classes="title")
            if not allowed:
                yield from self.refusal(REFUSED)
                return
            with VerticalScroll(id="product-fields-form"):
                for field in FIELDS:
                    with Horizontal(classes="form-row"):
                        yield Label(LABELS[field], classes="form-label")
                        if field == "active":
                            yield Checkbox("sold now (space toggles)", True, id="field-active", compact=True)
                        else:
                            yield Input(id=f"field-{field}", compact=True, placeholder=HINTS[field], disabled=True)
                    yield Static(id=f"error-{field}", classes="field-error")
            yield from self.footer("F2 save · Enter next field · Esc cancel")

    def on_mount(self) -> None:
        if is_manager(self):
            self._load()

    @background("product-form-load", "Opening the product")
    def _load(self) -> None:
        with self.app.local_store.use() as store:
            product = None if self.product_id is None else store.catalogue.by_id(self.product_id)
            categories = store.catalogue.categories()
        self.post_message(self.Loaded(product, categories, self.product_id is not None and product is None))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.missing:
            self.show_form_error("This product is no longer in the catalogue.")
            return
        self.form = ProductForm(minor_units(self.app.identity.currency), message.product)
        self.query_one("#field-category", Input).suggester = SuggestFromList(message.categories, case_sensitive=False)
        self._fill()
        self.set_focus(self.query_one("#field-name", Input))

    def _fill(self) -> None:
        assert self.form is not None
        for field, value in self.form.initial().items():
            if field == "active":
                self.query_one("#field-active", Checkbox).value = bool(value)
            else:
                box = self.query_one(f"#field-{field}", Input)
                with box.prevent(Input.Changed):
                    # Shown inert; saving a name that held control characters saves it with the placeholders.
                    box.value = printable(str(value))
                box.disabled = False

    def values(self) -> dict[str, str | bool]:
        found: dict[str, str | bool] = {field: self.query_one(f"#field-{field}", Input).value for field in FIELDS[:-1]}
        found["active"] = self.query_one("#field-active", Checkbox).value
        return found

    # --- checks as typed ----------------------------------------------------------------------------------------

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        field = (event.input.id or "").removeprefix("field-")
        if self.form is not None and field in FIELDS:
            self._check(field, event.value)

    def _check(self, field: str, value: str) -> None:
        form = self.form
        assert form is not None

        def check() -> None:
            with self.app.local_store.use() as store:
                self.post_message(self.Checked(field, form.check(store, field, value)))

        # One worker per field: a later keystroke replaces the check of an earlier one.
        self.run_worker(check, thread=True, exclusive=True, group=f"check-{field}", exit_on_error=False)

    @on(Checked)
    def _checked(self, message: Checked) -> None:
        self.show_error(message.field, message.error)

    # --- saving -----------------------------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.form is None or self.saving:
            return
        self.saving = True
        self.show_form_error("Saving…")
        self._save(self.form, self.values())

    @background("product-form-save", "Saving the product")
    def _save(self, form: ProductForm, values: dict[str, str | bool]) -> None:
        with self.app.local_store.use() as store:
            try:
                saved = form.save(store, values)
            except FormErrors as refused:
                self.post_message(self.Done(None, refused.errors))
                return
        self.app.call_from_thread(self.app.wake_sync)
        self.post_message(self.Done(saved, {}))

    @on(Done)
    def _done(self, message: Done) -> None:
        self.saving = False
        saved = message.saved
        if saved is None:
            for field in FIELDS:
                self.show_error(field, message.errors.get(field))
            self.show_form_error(message.errors.get("", "Not saved: see the fields above."))
            if "changed on the server" in message.errors.get("", ""):
                self._fill()  # the form holds the newer version's figures now
            return
        if saved.created:
            what = f"Created {saved.product.name}."
        elif saved.changed:
            what = f"Saved {saved.product.name}: {', '.join(LABELS[f] for f in _form_fields(saved.changed))}."
        else:
            what = "Nothing changed."
        self.app.notify(printable(f"{what} It syncs when the network allows."), timeout=5, markup=False)
        self.dismiss(saved.product)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _form_fields(changed: tuple[str, ...]) -> list[str]:
    """The product fields sent, as the form names them (tax_rate_bp is the form's tax_rate)."""
    return ["tax_rate" if name == "tax_rate_bp" else name for name in changed]
