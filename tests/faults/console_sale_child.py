"""Run by test_kill_console_app.py: the whole console app (ShopConsoleApp, built for a profile as `shop-console`
builds it) run headless under Textual's pilot, signed in as the cashier against the test's stack, ringing up cash
sales of a big cart through the sale and checkout screens until it is killed. Prints "ready" on the sale screen,
"pay" just before the Enter that completes a sale, and "sold <order id> <receipt number>" once its receipt shows.

argv: a file with the profile (JSON), a file with the stack (JSON, the console's StackInfo), a seed.
"""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path

from console.config import Profile
from console.demo import StackInfo
from screens.checkout import CheckoutScreen
from screens.receipt import ReceiptScreen
from tests.console.conftest import until
from tests.console.counter_screens import CASHIER, app_for, signed_in
from tests.console.test_sale_screen import DEMO, sale_open, scan

WAIT_S = 120  # for a screen to come up on a loaded machine
LINES = 20  # a big cart: the commit writes as many order lines and stock movements
PAID = "9999"  # in cash, more than any such cart costs: change is due


async def main(profile: Profile, stack: StackInfo, seed: int) -> None:
    rng = random.Random(seed)
    barcodes = [product["barcode"] for product in DEMO["products"]]
    app = app_for(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await signed_in(pilot, stack, CASHIER)
        sale = await sale_open(pilot)
        print("ready", flush=True)
        while True:
            for code in rng.sample(barcodes, LINES):
                await scan(pilot, code)
            await pilot.press("f10")
            await until(pilot, lambda: isinstance(app.screen, CheckoutScreen), WAIT_S)
            await pilot.press("c", *PAID, "enter")
            print("pay", flush=True)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ReceiptScreen), WAIT_S)
            receipt = app.screen
            assert isinstance(receipt, ReceiptScreen)
            print("sold", receipt.completed.order.id, receipt.completed.order.receipt_no, flush=True)
            await pilot.press("enter")
            await until(pilot, lambda: app.screen is sale and not sale.cart.lines, WAIT_S)


if __name__ == "__main__":
    asyncio.run(
        main(
            Profile.model_validate_json(Path(sys.argv[1]).read_text()),
            StackInfo.model_validate_json(Path(sys.argv[2]).read_text()),
            int(sys.argv[3]),
        )
    )
