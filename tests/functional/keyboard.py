"""Using a page with the keyboard alone: Tab to move, typing, Space, Enter and arrow keys."""

# Whether the focused element shows where focus is: its own outline or box shadow, or, for the
# NHS.UK radios and checkboxes (whose input is hidden under a drawn circle or box), the focus
# ring drawn by the label's ::before.
FOCUS_IS_VISIBLE = """() => {
    const element = document.activeElement;
    if (!element || element === document.body) return false;
    const shows = (style) =>
        (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
            && style.outlineColor !== 'rgba(0, 0, 0, 0)' && style.outlineColor !== 'transparent')
        || (style.boxShadow && style.boxShadow !== 'none');
    if (shows(getComputedStyle(element))) return true;
    const label = element.labels && element.labels[0];
    return Boolean(label) && shows(getComputedStyle(label, '::before'));
}"""


class Keyboard:
    """Moves focus with Tab only, and answers with typing, Space and the arrow keys. Counts
    the Tab presses (`moves`) and the other keys pressed (`answers`; typing is not counted)."""

    def __init__(self, page, settle=lambda: None):
        self.page = page
        self.focus_checked = 0
        self.moves = 0
        self.answers = 0
        # Called after each question is answered (choose, tick): a journey that times each
        # live update waits for it here.
        self.settle = settle

    def press(self, key):
        self.answers += 1
        self.page.keyboard.press(key)

    def focused_id(self):
        return self.page.evaluate("document.activeElement && document.activeElement.id")

    def focus_is_visible(self):
        return self.page.evaluate(FOCUS_IS_VISIBLE)

    def tab_until(self, javascript_predicate, what, limit=400):
        for _ in range(limit):
            self.moves += 1
            self.page.keyboard.press("Tab")
            if self.page.evaluate(
                f"(() => {{ const el = document.activeElement; "
                f"return Boolean(el && ({javascript_predicate})); }})()"
            ):
                return
        raise AssertionError(f"Tab never reached {what}")

    def tab_to(self, element_id):
        self.tab_until(f"el.id === {element_id!r}", f"#{element_id}")

    def check_focus_visible(self):
        assert self.focus_is_visible(), (
            f"no visible focus indicator on #{self.focused_id()} at {self.page.url}"
        )
        self.focus_checked += 1

    def type_into(self, element_id, text):
        self.tab_to(element_id)
        self.page.keyboard.type(text)

    def choose(self, field_id, position):
        """Pick the option at this position of a radio group that has nothing selected."""
        self.tab_to(f"{field_id}_0")
        if position == 0:
            self.press("Space")
        for _ in range(position):
            self.press("ArrowRight")
        self.settle()

    def tick(self, field_id):
        """Tick the checkbox with this id."""
        self.tab_to(field_id)
        self.press("Space")
        self.settle()

    def submit_with(self, button_text):
        """Tab to the submit button with this text and press Enter."""
        self.tab_until(
            f"el.type === 'submit' && el.innerText.trim() === {button_text!r}",
            f"the {button_text!r} button",
        )
        self.check_focus_visible()
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
