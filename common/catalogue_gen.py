"""Deterministic catalogues of realistic products: the demo shops' seed data and the benchmarks' 100,000 rows.

A product name is brand + qualifier + flavour/variety + noun + size ("Hillside Organic Whole Milk 1 L",
"Brasswell Torx Stainless Wood Screws 4x40 mm (200)"). Each category's names are the product of its word
lists, so a catalogue draws distinct combinations instead of retrying on duplicates: names stay unique at any
size up to `capacity(kind)`, and 100,000 products take about a second.

Only `random.Random.random()` is used, because Python promises that its sequence for a seed stays the same
across versions (it does not promise that for `sample`, `shuffle` or `choices`), and the committed demo
files must not drift when the interpreter is upgraded.

    python -m common.catalogue_gen --kind grocery --shop-code CG --count 320 --seed 1 \\
        --shop-name "Corner Grocer" --currency USD > assets/demo/corner-grocer.json
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import uuid
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate, product
from typing import Literal, TypedDict

from common.barcodes import ean13_from_body

Kind = Literal["grocery", "hardware", "mixed"]
ProductKind = Literal["grocery", "hardware"]
Sizes = tuple[tuple[str, float], ...]

# Product ids are uuid5(PRODUCT_NAMESPACE, "<shop code>/<sku>"): the same product gets the same id in every run.
PRODUCT_NAMESPACE = uuid.UUID("6f1c2a5e-8d43-5b7a-9e21-4c0d3b8f7a61")
SKU_PREFIX: dict[ProductKind, str] = {"grocery": "GRC", "hardware": "HWR"}

# GS1 prefixes: US/Canada regular UPC number systems for groceries, Germany (400-440) for hardware.
_GS1_COUNTRY: dict[ProductKind, tuple[str, ...]] = {
    "grocery": ("00", "01", "06", "07", "08"),
    "hardware": tuple(f"4{n:02d}" for n in range(41)),
}
ITEM_REFERENCES_PER_BRAND = 100_000  # the 5-digit item reference after a 7-digit company prefix


class GeneratedProduct(TypedDict):
    id: str
    sku: str
    barcode: str
    name: str
    category: str
    price: int
    tax_rate_bp: int
    active: bool
    on_hand: int
    reorder_point: int


@dataclass(frozen=True)
class Line:
    """One product line of a category: every brand makes it in every qualifier, flavour and size."""

    noun: str  # "{}" marks where the flavour goes; otherwise the flavour comes before the noun
    price: int  # minor units for the plain product at size factor 1.0
    sizes: Sizes
    flavours: tuple[str, ...]
    qualifiers: tuple[str, ...]  # "" (the plain product) first

    @property
    def combinations(self) -> int:
        return len(self.qualifiers) * len(self.flavours) * len(self.sizes)

    def body(self, flavour: str) -> str:
        return self.noun.replace("{}", flavour) if "{}" in self.noun else f"{flavour} {self.noun}"


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: each category is one object
class Category:
    name: str
    kind: ProductKind
    tax_rate_bp: int
    weight: int  # relative share of a catalogue
    brands: tuple[str, ...]
    lines: tuple[Line, ...]

    @cached_property
    def line_starts(self) -> tuple[int, ...]:
        """Where each line's combinations start when one brand's are numbered in a row."""
        return tuple(accumulate((line.combinations for line in self.lines[:-1]), initial=0))

    @cached_property
    def capacity(self) -> int:
        return len(self.brands) * sum(line.combinations for line in self.lines)

    def combination(self, index: int) -> tuple[str, Line, str, str, tuple[str, float]]:
        """Combination `index` (below `capacity`) as brand, line, qualifier, flavour and size."""
        rest, brand = divmod(index, len(self.brands))
        line_no = bisect_right(self.line_starts, rest) - 1
        line = self.lines[line_no]
        rest, size = divmod(rest - self.line_starts[line_no], len(line.sizes))
        qualifier, flavour = divmod(rest, len(line.flavours))
        return self.brands[brand], line, line.qualifiers[qualifier], line.flavours[flavour], line.sizes[size]


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in text.split(","))


def _sizes(text: str) -> Sizes:
    """Sizes written as "500 ml=1, 1 L=1.6": each label with its price factor."""
    if not text:
        return (("", 1.0),)
    return tuple((label.strip(), float(factor)) for label, factor in (item.split("=") for item in text.split(",")))


def _grid(
    label: str,
    factor: Callable[..., float],
    keep: Callable[..., bool] = lambda **_: True,
    **axes: tuple[float | str, ...],
) -> Sizes:
    """Sizes made from every combination of the axes, e.g. screw diameter, length and pack."""
    names = list(axes)
    combos = (dict(zip(names, values, strict=True)) for values in product(*axes.values()))
    return tuple((label.format(**combo), factor(**combo)) for combo in combos if keep(**combo))


def _line(noun: str, price: int, sizes: str | Sizes = "", flavours: str = "", qualifiers: str = "") -> Line:
    return Line(
        noun=noun,
        price=price,
        sizes=_sizes(sizes) if isinstance(sizes, str) else sizes,
        flavours=_words(flavours) if flavours else ("",),
        qualifiers=("", *_words(qualifiers)) if qualifiers else ("",),
    )


def _category(name: str, kind: ProductKind, tax_rate_bp: int, weight: int, brands: str, *lines: Line) -> Category:
    return Category(name, kind, tax_rate_bp, weight, _words(brands), lines)


# ---------------------------------------------------------------------------------------------------- groceries
# The word lists are laid out by hand, one line of products to a call; the formatter would split every argument.
# fmt: off

_HOUSE = "Everyday Choice, Simply Good, Market Basket, Pantry Basics"
_CHEESES = (
    "Mild Cheddar, Sharp Cheddar, Extra Sharp Cheddar, White Cheddar, Mozzarella, Monterey Jack, Colby Jack, "
    "Pepper Jack, Swiss, Provolone, Gouda, Smoked Gouda, Havarti, Muenster, Parmesan, Gruyere"
)
_COFFEES = (
    "Breakfast Blend, House Blend, French Roast, Italian Roast, Colombian, Ethiopian Yirgacheffe, Sumatra, "
    "Guatemala, Kenya AA, Espresso Roast, Decaf House Blend, Hazelnut, French Vanilla, Mocha Java, Costa Rica, "
    "Brazil Santos"
)
_SCENTS = (
    "Coconut, Argan Oil, Tea Tree, Lavender, Citrus, Aloe, Honey, Rosemary Mint, Charcoal, Unscented, Oatmeal, "
    "Green Apple"
)
_CLEANER_SCENTS = "Lemon, Lavender, Pine, Fresh, Eucalyptus, Unscented, Citrus, Orange Blossom"
_DOG_RECIPES = (
    "Chicken & Rice, Beef & Barley, Lamb & Rice, Salmon & Sweet Potato, Turkey & Oatmeal, Duck & Pea, Venison"
)
_CAT_RECIPES = "Chicken, Salmon, Tuna, Turkey, Ocean Fish, Duck, Rabbit"

GROCERY = (
    _category(
        "Dairy & Eggs", "grocery", 0, 10,
        "Hillside, Meadowbrook, Clover Ridge, Green Pasture, Valley Fresh, Northfield Dairy, Bluebell Farms, "
        f"Maple Creek, Oak Hollow, Sunny Acres, Riverside Creamery, Lakeview Farms, Willow Brook, {_HOUSE}",
        _line("Milk", 139, "500 ml=1, 1 L=1.6, 2 L=2.8", "Whole, 2% Reduced Fat, 1% Low Fat, Skim",
              "Organic, Lactose-Free, Grass-Fed, A2"),
        _line("Milk Drink", 149, "300 ml=1, 1 L=2.4", "Chocolate, Strawberry, Banana, Vanilla, Coffee, Caramel",
              "Organic, Reduced Sugar, Protein"),
        _line("Yogurt", 119, "150 g=1, 500 g=2.6, 1 kg=4.4",
              "Plain, Vanilla, Strawberry, Blueberry, Peach, Raspberry, Honey, Mango, Cherry, Lemon, Coconut, "
              "Mixed Berry, Key Lime, Pineapple",
              "Greek, Organic, Low Fat, Icelandic Style, Whole Milk, Lactose-Free"),
        _line("Block", 399, "200 g=1, 450 g=2, 900 g=3.6", _CHEESES, "Aged, Organic, Reduced Fat"),
        _line("Slices", 349, "150 g=1, 300 g=1.8", _CHEESES, "Aged, Organic, Reduced Fat"),
        _line("Shredded Cheese", 329, "200 g=1, 400 g=1.8",
              "Mozzarella, Mild Cheddar, Sharp Cheddar, Mexican Blend, Italian Blend, Pizza Blend, Colby Jack, "
              "Parmesan", "Organic, Reduced Fat, Fine Cut"),
        _line("Butter", 349, "250 g=1, 500 g=1.9", "Salted, Unsalted, Spreadable, Garlic & Herb, Honey Cinnamon",
              "Organic, Grass-Fed, European Style, Cultured"),
        _line("Eggs", 229, "6 pack=1, 12 pack=1.8, 18 pack=2.5",
              "Large Brown, Large White, Extra Large Brown, Extra Large White, Jumbo Brown, Medium White",
              "Organic, Free-Range, Pasture-Raised, Omega-3, Cage-Free"),
        _line("Cream Cheese", 249, "225 g=1, 450 g=1.8",
              "Original, Chive & Onion, Strawberry, Garden Vegetable, Honey Walnut, Jalapeno, Blueberry",
              "Whipped, Reduced Fat, Organic"),
        _line("Sour Cream", 199, "225 g=1, 450 g=1.7", "", "Light, Organic, Fat-Free"),
        _line("Cottage Cheese", 279, "450 g=1, 680 g=1.4", "Small Curd, Large Curd, Pineapple",
              "Low Fat, Organic, Whole Milk"),
        _line("Heavy Cream", 299, "250 ml=1, 500 ml=1.8, 1 L=3.2", "", "Organic, Ultra-Pasteurized"),
        _line("Half & Half", 199, "500 ml=1, 1 L=1.7", "", "Organic, Fat-Free"),
        _line("Kefir", 329, "1 L=1", "Plain, Strawberry, Blueberry, Peach, Vanilla, Mango", "Organic, Low Fat"),
    ),
    _category(
        "Bakery", "grocery", 0, 6,
        "Golden Crust, Stonemill Bakery, Hearthside, Sunrise Bakehouse, Old Mill, Baker's Lane, Rustic Oven, "
        f"Village Hearth, Wheatfield, {_HOUSE}",
        _line("Bread", 279, "450 g=1, 680 g=1.4",
              "White Sandwich, Whole Wheat, Multigrain, Sourdough, Rye, Honey Oat, Potato, Seeded, Cinnamon Raisin, "
              "Brioche, Italian, Sprouted Grain, 12 Grain, Pumpernickel",
              "Organic, Thin-Sliced, Gluten-Free, Keto, Artisan"),
        _line("Bagels", 349, "4 pack=1, 6 pack=1.35",
              "Plain, Everything, Sesame, Poppy Seed, Cinnamon Raisin, Blueberry, Onion, Whole Wheat, Asiago, "
              "Jalapeno Cheddar", "Mini, Organic, Thin"),
        _line("English Muffins", 299, "6 pack=1, 12 pack=1.8",
              "Original, Whole Wheat, Sourdough, Cinnamon Raisin, Multigrain", "Organic, Light"),
        _line("Muffins", 399, "4 pack=1, 6 pack=1.4",
              "Blueberry, Chocolate Chip, Banana Nut, Lemon Poppy Seed, Double Chocolate, Bran, Corn, "
              "Apple Cinnamon, Pumpkin", "Mini, Reduced Sugar, Jumbo"),
        _line("Tortillas", 249, "8 pack=1, 16 pack=1.8", "Flour, Corn, Whole Wheat, Spinach, Tomato Basil, Low Carb",
              "Organic, Burrito Size, Street Taco"),
        _line("Cookies", 329, "200 g=1, 400 g=1.8",
              "Chocolate Chip, Oatmeal Raisin, Double Chocolate, Peanut Butter, Sugar, Snickerdoodle, "
              "White Chocolate Macadamia, Ginger Snap, Shortbread, Lemon", "Soft Baked, Crispy, Mini, Gluten-Free"),
        _line("Croissants", 399, "4 pack=1, 8 pack=1.8", "Butter, Chocolate, Almond, Whole Wheat", "Mini, All-Butter"),
        _line("Buns", 259, "4 pack=1, 8 pack=1.7", "Hamburger, Hot Dog, Brioche, Potato, Pretzel, Sesame, Whole Wheat",
              "Organic, Gluten-Free"),
        _line("Dinner Rolls", 279, "6 pack=1, 12 pack=1.8", "White, Wheat, Sourdough, Hawaiian Sweet, Garlic",
              "Organic, Brown & Serve"),
    ),
    _category(
        "Produce", "grocery", 0, 9,
        "Sunny Acres, Green Valley Growers, Orchard Lane, Fresh Fields, Riverbend Farms, Coastal Harvest, "
        f"Highland Orchards, Little Acre, {_HOUSE}",
        _line("Apples", 299, "1 kg=1, 2 kg=1.8",
              "Gala, Fuji, Honeycrisp, Granny Smith, Pink Lady, Braeburn, Golden Delicious, Red Delicious, Jazz, "
              "Envy, Cosmic Crisp, McIntosh", "Organic, Snack-Size"),
        _line("Pears", 329, "1 kg=1", "Bartlett, Bosc, Anjou, Red Anjou, Comice, Asian", "Organic"),
        _line("Potatoes", 299, "1.5 kg=1, 2.5 kg=1.5, 5 kg=2.6",
              "Russet, Yukon Gold, Red, Fingerling, Sweet, Baby Gold, Purple", "Organic, Washed"),
        _line("Onions", 199, "1 kg=1, 2 kg=1.7", "Yellow, Red, White, Sweet, Pearl", "Organic"),
        _line("Tomatoes", 299, "500 g=1, 1 kg=1.8",
              "Roma, Cherry, Grape, Beefsteak, Heirloom, On-the-Vine, Campari, Yellow Cherry", "Organic, Greenhouse"),
        _line("Salad", 349, "150 g=1, 300 g=1.7",
              "Spring Mix, Baby Spinach, Baby Arugula, Romaine Hearts, Butter Lettuce, Kale, Power Greens, "
              "Caesar Kit, Asian Chopped Kit, Cobb Kit, Coleslaw Mix", "Organic, Triple-Washed"),
        _line("Strawberries", 399, "450 g=1, 900 g=1.8", "", "Organic"),
        _line("Blueberries", 399, "170 g=1, 340 g=1.8", "", "Organic, Wild"),
        _line("Raspberries", 449, "170 g=1, 340 g=1.8", "", "Organic"),
        _line("Oranges", 349, "1 kg=1, 2 kg=1.8", "Navel, Cara Cara, Blood, Valencia", "Organic"),
        _line("Lemons", 299, "500 g=1, 1 kg=1.8", ", Meyer", "Organic"),
        _line("Limes", 249, "500 g=1, 1 kg=1.8", ", Key", "Organic"),
        _line("Grapefruit", 299, "1 kg=1", "Ruby Red, White", "Organic"),
        _line("Bananas", 69, "1 kg=1", "", "Organic, Fair Trade"),
        _line("Avocados", 399, "4 pack=1, 6 pack=1.4", "Hass", "Organic, Ripe & Ready"),
        _line("Carrots", 149, "500 g=1, 1 kg=1.7, 2 kg=3", ", Baby, Rainbow", "Organic, Peeled"),
        _line("Peppers", 349, "3 pack=1, 6 pack=1.8",
              "Red Bell, Green Bell, Yellow Bell, Mixed Bell, Mini Sweet, Jalapeno, Poblano", "Organic, Greenhouse"),
        _line("Mushrooms", 249, "225 g=1, 450 g=1.8", "White, Cremini, Portobello, Shiitake, Oyster, Baby Bella",
              "Organic, Sliced"),
        _line("Grapes", 399, "500 g=1, 1 kg=1.8", "Red Seedless, Green Seedless, Black Seedless, Cotton Candy",
              "Organic"),
    ),
    _category(
        "Meat & Seafood", "grocery", 0, 7,
        "Prairie Ranch, Blue Harbor, Heritage Farms, Golden Plains, Tidewater, Smokehouse Hill, Copper Creek, "
        f"Butcher's Block, Salt Marsh, {_HOUSE}",
        _line("Chicken {}", 599, "500 g=1, 1 kg=1.9",
              "Breast Fillets, Thighs, Drumsticks, Wings, Tenderloins, Boneless Thighs, Ground, Whole",
              "Organic, Free-Range, Air-Chilled, Antibiotic-Free"),
        _line("Beef {}", 899, "450 g=1, 900 g=1.9",
              "Ribeye Steak, Sirloin Steak, Strip Steak, Ground 80/20, Ground 90/10, Stew Meat, Chuck Roast, Brisket, "
              "Short Ribs, Flank Steak, Tenderloin", "Grass-Fed, Angus, Organic, Prime"),
        _line("Pork {}", 599, "500 g=1, 1 kg=1.9", "Chops, Tenderloin, Shoulder, Ribs, Belly, Ground, Loin Roast",
              "Heritage, Organic"),
        _line("Sausages", 499, "400 g=1, 800 g=1.9",
              "Italian, Hot Italian, Bratwurst, Breakfast, Chorizo, Chicken Apple, Maple, Andouille, Kielbasa, "
              "Cumberland", "Organic, Smoked, Uncured"),
        _line("Bacon", 599, "340 g=1, 680 g=1.9",
              "Hickory Smoked, Applewood Smoked, Maple, Peppered, Thick Cut, Center Cut, Turkey",
              "Uncured, Organic, Low Sodium"),
        _line("Fillets", 999, "300 g=1, 600 g=1.9",
              "Atlantic Salmon, Sockeye Salmon, Cod, Haddock, Tilapia, Halibut, Mahi Mahi, Rainbow Trout, Pollock, "
              "Sea Bass", "Wild-Caught, Farm-Raised, Skin-On, Frozen"),
        _line("Shrimp", 1099, "450 g=1, 900 g=1.9", "Raw Jumbo, Cooked Jumbo, Raw Large, Cooked Large, Tail-On Cooked",
              "Wild-Caught, Peeled & Deveined"),
        _line("Slices", 449, "200 g=1, 400 g=1.8",
              "Oven Roasted Turkey, Smoked Turkey, Honey Ham, Black Forest Ham, Roast Beef, Genoa Salami, Pepperoni, "
              "Bologna, Rotisserie Chicken, Pastrami", "Low Sodium, Organic, Uncured"),
    ),
    _category(
        "Pasta & Rice", "grocery", 0, 4,
        f"Bella Cucina, Tuscan Table, Goldfield Grain, Sunfield, Casa Verde, Nonna Rosa, Jade Garden, {_HOUSE}",
        _line("", 149, "450 g=1, 900 g=1.8",
              "Spaghetti, Penne, Rigatoni, Fusilli, Farfalle, Linguine, Fettuccine, Macaroni, Rotini, Orzo, "
              "Angel Hair, Lasagna, Ziti, Orecchiette, Shells, Bucatini, Pappardelle, Cavatappi, Gemelli, Tagliatelle",
              "Whole Wheat, Organic, Gluten-Free, Bronze-Cut, Protein Plus"),
        _line("Rice", 299, "1 kg=1, 2 kg=1.8, 5 kg=4",
              "Jasmine, Basmati, Long Grain White, Brown, Arborio, Wild Blend, Sushi, Black, Red, Parboiled",
              "Organic, Quick-Cook, Aged"),
        _line("Noodles", 199, "250 g=1, 500 g=1.8", "Egg, Ramen, Udon, Soba, Rice, Lo Mein, Pad Thai Rice",
              "Organic, Wide, Thin"),
        _line("", 299, "500 g=1, 1 kg=1.8", "Quinoa, Couscous, Bulgur, Farro, Pearl Barley, Millet, Polenta",
              "Organic"),
    ),
    _category(
        "Canned Goods", "grocery", 0, 4,
        f"Harvest Table, Sunfield, Garden Patch, Blue Harbor, Hearty Pot, Casa Verde, Pantry Pride, {_HOUSE}",
        _line("Beans", 119, "400 g=1, 800 g=1.7",
              "Black, Kidney, Pinto, Cannellini, Garbanzo, Navy, Great Northern, Lima, Butter, Refried, Baked, Mixed",
              "Organic, Low Sodium, No Salt Added"),
        _line("Tomatoes", 99, "400 g=1, 800 g=1.7", "Diced, Crushed, Whole Peeled, Stewed, Fire-Roasted Diced, "
              "Petite Diced", "Organic, No Salt Added"),
        _line("Soup", 199, "400 g=1, 540 g=1.3",
              "Chicken Noodle, Tomato, Cream of Mushroom, Minestrone, Clam Chowder, Split Pea, Lentil, "
              "Vegetable Beef, Chicken & Rice, Broccoli Cheddar, Butternut Squash, French Onion, Beef Barley, "
              "Black Bean", "Organic, Low Sodium, Hearty, Condensed"),
        _line("Broth", 249, "1 L=1", "Chicken, Beef, Vegetable, Bone, Mushroom", "Organic, Low Sodium, Unsalted"),
        _line("Tuna", 149, "142 g=1, 4 x 142 g=3.6", "Chunk Light, Solid White Albacore, Yellowfin",
              "Wild-Caught, Low Sodium"),
        _line("{} in Juice", 149, "400 g=1",
              "Peach Slices, Pear Halves, Pineapple Chunks, Mandarin Oranges, Fruit Cocktail", "Organic"),
        _line("{} in Light Syrup", 139, "400 g=1",
              "Peach Slices, Pear Halves, Pineapple Chunks, Mandarin Oranges, Fruit Cocktail", ""),
        _line("", 109, "400 g=1",
              "Sweet Corn, Cut Green Beans, Sweet Peas, Sliced Carrots, Mixed Vegetables, Sliced Beets, Leaf Spinach, "
              "Artichoke Hearts", "Organic, No Salt Added"),
    ),
    _category(
        "Breakfast & Spreads", "grocery", 0, 4,
        f"Morning Sun, Goldfield Grain, Prairie Oats, Sunrise Bakehouse, Bee Meadow, Nutty Grove, Daybreak, {_HOUSE}",
        _line("Cereal", 399, "350 g=1, 500 g=1.35, 750 g=1.9",
              "Corn Flakes, Bran Flakes, Honey Nut O's, Frosted Flakes, Raisin Bran, Crispy Rice, Granola Clusters, "
              "Muesli, Chocolate Puffs, Cinnamon Squares, Fruit Rings, Shredded Wheat, Oat Bites, Peanut Butter Puffs",
              "Organic, Whole Grain, Low Sugar, High Protein"),
        _line("Oats", 299, "500 g=1, 1 kg=1.8", "Rolled, Quick, Steel Cut, Instant", "Organic, Gluten-Free"),
        _line("Instant Oatmeal", 349, "8 pack=1, 12 pack=1.4",
              "Maple & Brown Sugar, Apple Cinnamon, Peaches & Cream, Original, Blueberry, Strawberry, Banana Bread",
              "Organic, Low Sugar, Protein"),
        _line("Granola", 449, "350 g=1, 700 g=1.8",
              "Honey Almond, Maple Pecan, Dark Chocolate, Vanilla, Coconut Cashew, Berry",
              "Organic, Low Sugar, Gluten-Free, Keto"),
        _line("Pancake Mix", 299, "500 g=1, 1 kg=1.8",
              "Buttermilk, Original, Whole Wheat, Blueberry, Chocolate Chip, Protein", "Organic, Gluten-Free"),
        _line("Maple Syrup", 799, "250 ml=1, 500 ml=1.8, 1 L=3.2", "Golden, Amber, Dark, Very Dark", "Organic, Pure"),
        _line("Pancake Syrup", 349, "710 ml=1, 1 L=1.3", "Original, Butter, Lite, Sugar-Free"),
        _line("Peanut Butter", 399, "340 g=1, 750 g=1.9",
              "Creamy, Crunchy, Honey Roasted, Natural Creamy, Natural Crunchy", "Organic, No Salt Added, Reduced Fat"),
        _line("Almond Butter", 699, "340 g=1, 750 g=1.9", "Creamy, Crunchy, Vanilla, Maple", "Organic, Raw"),
        _line("Preserves", 349, "340 g=1, 500 g=1.4",
              "Strawberry, Raspberry, Grape, Apricot, Blackberry, Cherry, Peach, Fig, Blueberry, Mixed Berry, Plum",
              "Organic, Reduced Sugar, Seedless"),
        _line("Honey", 599, "340 g=1, 680 g=1.8", "Clover, Wildflower, Orange Blossom, Raw, Manuka, Buckwheat",
              "Organic"),
    ),
    _category(
        "Baking", "grocery", 0, 2,
        f"Goldfield Grain, Baker's Lane, Sweet Valley, Old Mill, {_HOUSE}",
        _line("Flour", 299, "1 kg=1, 2 kg=1.8, 5 kg=4",
              "All-Purpose, Bread, Whole Wheat, Self-Rising, Cake, Almond, Coconut, Rye, Spelt",
              "Organic, Unbleached, Stone-Ground"),
        _line("Sugar", 249, "1 kg=1, 2 kg=1.8",
              "Granulated, Light Brown, Dark Brown, Powdered, Cane, Coconut, Demerara", "Organic"),
        _line("Baking Chips", 349, "300 g=1, 600 g=1.8",
              "Semi-Sweet Chocolate, Milk Chocolate, Dark Chocolate, White Chocolate, Butterscotch, Peanut Butter",
              "Organic, Mini"),
        _line("Cake Mix", 249, "430 g=1",
              "Yellow, Devil's Food, White, Red Velvet, Confetti, Lemon, Carrot, Strawberry", "Gluten-Free, Moist"),
        _line("Brownie Mix", 279, "500 g=1", "Fudge, Double Chocolate, Dark Chocolate, Salted Caramel",
              "Gluten-Free, Family Size"),
        _line("Baking Soda", 129, "450 g=1, 1.8 kg=3"),
        _line("Baking Powder", 249, "230 g=1", "", "Aluminum-Free"),
        _line("Vanilla Extract", 899, "60 ml=1, 120 ml=1.8", "Pure, Madagascar, Mexican", "Organic"),
    ),
    _category(
        "Condiments & Sauces", "grocery", 0, 3,
        "Bella Cucina, Tuscan Table, Smokehouse Hill, Red Rooster, Harvest Table, Casa Verde, Nonna Rosa, "
        f"Jade Garden, {_HOUSE}",
        _line("Pasta Sauce", 349, "680 g=1, 1 kg=1.4",
              "Marinara, Tomato Basil, Arrabbiata, Vodka, Four Cheese, Mushroom, Garlic & Herb, Roasted Red Pepper, "
              "Puttanesca, Alfredo, Pesto Genovese, Bolognese", "Organic, Low Sodium, Chunky"),
        _line("Ketchup", 229, "400 ml=1, 800 ml=1.7", ", Spicy, Hickory", "Organic, No Sugar Added"),
        _line("Mustard", 199, "250 ml=1, 400 ml=1.5", "Yellow, Dijon, Whole Grain, Honey, Spicy Brown", "Organic"),
        _line("Mayonnaise", 349, "400 ml=1, 800 ml=1.8", ", Light, Olive Oil, Avocado Oil, Chipotle, Garlic",
              "Organic, Vegan"),
        _line("BBQ Sauce", 299, "450 ml=1",
              "Original, Honey, Hickory, Sweet & Spicy, Kansas City, Carolina Gold, Texas Style, Mesquite",
              "Organic, Sugar-Free"),
        _line("Hot Sauce", 249, "150 ml=1, 300 ml=1.7",
              "Original, Habanero, Chipotle, Sriracha, Green Jalapeno, Ghost Pepper, Garlic", "Extra Hot"),
        _line("Dressing", 329, "250 ml=1, 475 ml=1.6",
              "Ranch, Caesar, Italian, Balsamic Vinaigrette, Blue Cheese, Thousand Island, Honey Mustard, Greek, "
              "French, Raspberry Vinaigrette, Sesame Ginger", "Organic, Light, Fat-Free"),
        _line("Olive Oil", 799, "500 ml=1, 1 L=1.8", "Extra Virgin, Light, Pure, Garlic-Infused, Lemon-Infused",
              "Organic, Cold-Pressed"),
        _line("Oil", 449, "500 ml=1, 1 L=1.7",
              "Canola, Vegetable, Avocado, Coconut, Sunflower, Peanut, Sesame, Grapeseed", "Organic"),
        _line("Vinegar", 249, "500 ml=1", "Balsamic, Apple Cider, White Wine, Red Wine, Rice, Distilled White",
              "Organic"),
        _line("Salsa", 299, "450 g=1", "Mild, Medium, Hot, Chunky Garden, Verde, Mango, Black Bean & Corn",
              "Organic, Restaurant-Style"),
    ),
    _category(
        "Spices & Seasonings", "grocery", 0, 2,
        f"Spice Route, Red Rooster, Golden Mortar, Saffron Trail, {_HOUSE}",
        _line("", 349, "30 g=1, 60 g=1.7, 150 g=3.5",
              "Black Pepper, Cinnamon, Paprika, Smoked Paprika, Cumin, Turmeric, Oregano, Basil, Thyme, Rosemary, "
              "Garlic Powder, Onion Powder, Chili Powder, Cayenne Pepper, Nutmeg, Ginger, Coriander, Curry Powder, "
              "Garam Masala, Bay Leaves, Dill, Parsley, Sage, Cloves, Cardamom, Allspice, Red Pepper Flakes, "
              "Italian Seasoning, Taco Seasoning, Cajun Seasoning, Lemon Pepper, Everything Bagel Seasoning, "
              "Herbes de Provence, Sea Salt, Pink Himalayan Salt, Fennel Seed, Mustard Seed, Star Anise, Tarragon, "
              "Marjoram", "Organic, Fair Trade, Premium"),
    ),
    _category(
        "Snacks", "grocery", 500, 8,
        "Crispwell, Golden Crunch, Trailside, Munch Co., Salt & Stone, Harvest Table, Happy Hollow, Pop Street, "
        f"Nutty Grove, Crunch Barrel, Summit Snacks, {_HOUSE}",
        _line("Potato Chips", 349, "28 g=0.4, 150 g=1, 280 g=1.6",
              "Sea Salt, Salt & Vinegar, Barbecue, Sour Cream & Onion, Cheddar & Sour Cream, Jalapeno, Salt & Pepper, "
              "Dill Pickle, Sweet Chili, Honey Mustard, Lightly Salted, Truffle, Buffalo, Rosemary & Garlic, Original",
              "Kettle Cooked, Ridged, Baked, Reduced Fat, Thick Cut"),
        _line("Tortilla Chips", 329, "300 g=1, 500 g=1.5",
              "Restaurant Style, Lime, Nacho Cheese, Blue Corn, Multigrain, Chili Lime, Yellow Corn, White Corn, Ranch",
              "Organic, Scoops, Thin & Crispy"),
        _line("Crackers", 299, "200 g=1, 400 g=1.8",
              "Saltine, Whole Wheat, Cheddar, Sea Salt, Rosemary, Cracked Pepper, Everything, Multigrain, Rice, "
              "Water, Butter, Graham, Honey Graham, Cinnamon Graham", "Organic, Reduced Fat, Gluten-Free, Thin"),
        _line("Pretzel {}", 279, "250 g=1, 450 g=1.6", "Twists, Rods, Sticks, Thins, Nuggets, Crisps, Bites",
              "Honey Wheat, Unsalted, Gluten-Free, Everything"),
        _line("Microwave Popcorn", 299, "3 pack=1, 6 pack=1.8",
              "Butter, Movie Theater Butter, Kettle Corn, Sea Salt, White Cheddar, Caramel, Light Butter", "Organic"),
        _line("Popcorn", 249, "125 g=1, 250 g=1.8", "Sea Salt, White Cheddar, Caramel, Kettle, Truffle, Sweet & Salty",
              "Organic, Skinny"),
        _line("", 499, "150 g=1, 300 g=1.8, 700 g=3.6",
              "Almonds, Cashews, Peanuts, Pistachios, Walnuts, Pecans, Macadamias, Mixed Nuts, Trail Mix, Hazelnuts, "
              "Brazil Nuts, Sunflower Seeds, Pumpkin Seeds",
              "Roasted & Salted, Raw, Unsalted, Honey Roasted, Smoked, Lightly Salted"),
        _line("Granola Bars", 349, "6 pack=1, 12 pack=1.8",
              "Oats & Honey, Chocolate Chip, Peanut Butter, Dark Chocolate Almond, Cranberry Almond, Blueberry, "
              "Coconut, Salted Caramel, Apple Cinnamon", "Chewy, Crunchy, Protein, Low Sugar"),
        _line("Beef Jerky", 699, "70 g=1, 200 g=2.4", "Original, Teriyaki, Peppered, Sweet & Spicy, Hickory, Jalapeno",
              "Grass-Fed, Zero Sugar"),
        _line("Rice Cakes", 249, "130 g=1",
              "Lightly Salted, Caramel, Apple Cinnamon, White Cheddar, Dark Chocolate, Unsalted", "Organic, Thin"),
        _line("", 399, "150 g=1, 300 g=1.8",
              "Raisins, Dried Cranberries, Dried Mango, Dried Apricots, Prunes, Medjool Dates, Dried Figs, "
              "Banana Chips, Apple Rings", "Organic, Unsweetened"),
    ),
    _category(
        "Candy & Chocolate", "grocery", 500, 4,
        f"Cocoa Grove, Sweet Valley, Sugar Lane, Velvet Bean, Candy Barn, Maple Leaf Confections, {_HOUSE}",
        _line("Chocolate Bar", 249, "45 g=0.6, 100 g=1, 200 g=1.8",
              "Milk, Dark 70%, Dark 85%, White, Milk Hazelnut, Dark Sea Salt, Dark Orange, Milk Caramel, Dark Mint, "
              "Milk Almond, Dark Raspberry, Dark Espresso, Milk Cookies & Cream, Dark Chili",
              "Organic, Fair Trade, Sugar-Free, Vegan"),
        _line("Gummy {}", 199, "150 g=1, 400 g=2.4", "Bears, Worms, Rings, Sharks, Bottles, Cubes, Frogs, Cherries",
              "Sour, Sugar-Free, Vegan, Organic"),
        _line("Hard Candy", 149, "150 g=1, 300 g=1.8",
              "Peppermint, Butterscotch, Cinnamon, Lemon Drop, Root Beer Barrel, Assorted Fruit", "Sugar-Free"),
        _line("Truffles", 999, "150 g=1, 300 g=1.8",
              "Milk Chocolate, Dark Chocolate, Salted Caramel, Raspberry, Hazelnut, Champagne, Assorted", "Organic"),
        _line("Licorice Twists", 199, "200 g=1, 450 g=1.9", "Red, Black, Strawberry, Cherry", "Soft, Sugar-Free"),
        _line("Mints", 149, "40 g=1, 3 x 40 g=2.6", "Peppermint, Spearmint, Wintergreen, Cinnamon",
              "Sugar-Free, Extra Strong"),
        _line("Chewing Gum", 129, "14 pieces=1, 3 x 14 pieces=2.6",
              "Spearmint, Peppermint, Bubble, Watermelon, Cinnamon, Fruit", "Sugar-Free"),
    ),
    _category(
        "Beverages", "grocery", 500, 8,
        "Fizzwell, Clearspring, Bright Orchard, Summit Springs, Citrus Grove, Ginger Hill, Blue Ridge Beverage, "
        f"Peak Fuel, Orchard Press, Lagoon, Riverstone, {_HOUSE}",
        _line("", 199, "355 ml=0.6, 2 L=1, 6 x 355 ml=2.1, 12 x 355 ml=3.8",
              "Cola, Cherry Cola, Vanilla Cola, Lemon-Lime Soda, Ginger Ale, Root Beer, Orange Soda, Grape Soda, "
              "Cream Soda, Black Cherry Soda, Grapefruit Soda, Tonic Water, Club Soda, Ginger Beer",
              "Diet, Zero Sugar, Caffeine-Free"),
        _line("Sparkling Water", 99, "500 ml=1, 1 L=1.6, 8 x 355 ml=4.8",
              ", Lemon, Lime, Grapefruit, Berry, Black Cherry, Mango, Peach, Cucumber Mint, Orange, Raspberry Lime, "
              "Watermelon", "Unsweetened, Lightly Sweetened"),
        _line("Spring Water", 89, "500 ml=1, 1.5 L=1.8, 24 x 500 ml=6", "", "Alkaline, Mineral"),
        _line("Juice", 349, "1 L=1, 1.75 L=1.6",
              "Orange, Apple, Cranberry, Grape, Pineapple, Grapefruit, Mango, Tomato, Pomegranate, Tropical, "
              "Apple Mango, Cranberry Raspberry, Carrot, Green Vegetable, Watermelon",
              "Organic, Not From Concentrate, Cold-Pressed, Light, No Sugar Added"),
        _line("Lemonade", 299, "1.5 L=1", ", Strawberry, Pink, Raspberry, Mint", "Organic, Light"),
        _line("Iced Tea", 249, "500 ml=0.6, 1.5 L=1",
              "Lemon, Peach, Raspberry, Green, Unsweetened, Sweet, Mango, Hibiscus, Black", "Organic, Diet"),
        _line("Sports Drink", 199, "600 ml=1, 6 x 600 ml=5",
              "Fruit Punch, Lemon-Lime, Orange, Cool Blue, Glacier Cherry, Grape, Mango", "Zero Sugar, Electrolyte"),
        _line("Energy Drink", 249, "250 ml=1, 473 ml=1.6, 4 x 250 ml=3.6",
              "Original, Tropical, Berry, Citrus, Mango, Watermelon, Peach", "Zero Sugar, Organic"),
        _line("Kombucha", 349, "473 ml=1",
              "Ginger Lemon, Original, Raspberry, Lavender, Mango, Pineapple, Hibiscus", "Organic"),
        _line("{} Milk", 299, "1 L=1, 1.89 L=1.7", "Oat, Almond, Soy, Coconut, Cashew, Rice, Pea",
              "Unsweetened, Vanilla, Barista, Organic, Chocolate"),
    ),
    _category(
        "Coffee & Tea", "grocery", 0, 4,
        "Morning Sun, Highland Roast, Bean & Leaf, Copper Kettle, Golden Cup, Night Owl Roasters, Harbor Roastery, "
        f"Tea Garden, {_HOUSE}",
        _line("Whole Bean Coffee", 799, "340 g=1, 907 g=2.4", _COFFEES, "Organic, Fair Trade"),
        _line("Ground Coffee", 749, "340 g=1, 907 g=2.4", _COFFEES, "Organic, Fair Trade"),
        _line("Coffee Pods", 599, "12 pods=1, 24 pods=1.8, 48 pods=3.3", _COFFEES, "Organic, Fair Trade"),
        _line("Instant Coffee", 699, "100 g=1, 200 g=1.8", "Classic, Gold, Decaf, Espresso", "Organic, Fair Trade"),
        _line("Tea", 349, "20 bags=1, 40 bags=1.8, 100 bags=4",
              "English Breakfast, Earl Grey, Green, Chamomile, Peppermint, Jasmine Green, Darjeeling, Rooibos, Chai, "
              "Lemon Ginger, Hibiscus, Oolong, White, Berry, Matcha Green, Lady Grey", "Organic, Fair Trade"),
        _line("Hot Cocoa Mix", 349, "8 pack=1, 450 g=1.8",
              "Milk Chocolate, Dark Chocolate, Marshmallow, Salted Caramel, Peppermint", "Organic, Reduced Sugar"),
    ),
    _category(
        "Frozen", "grocery", 0, 6,
        "Polar Pantry, Frostline, Northern Table, Bella Cucina, Sweet Valley, Glacier Bay, Snowfield, Jade Garden, "
        f"{_HOUSE}",
        _line("Pizza", 599, "350 g=1, 700 g=1.7",
              "Pepperoni, Margherita, Four Cheese, Supreme, Hawaiian, BBQ Chicken, Veggie, Meat Lovers, "
              "Buffalo Chicken, Mushroom & Spinach, Sausage, White",
              "Thin Crust, Rising Crust, Stone-Fired, Gluten-Free, Cauliflower Crust"),
        _line("Ice Cream", 499, "500 ml=1, 1.5 L=2.2",
              "Vanilla, Chocolate, Strawberry, Mint Chocolate Chip, Cookies & Cream, Rocky Road, Butter Pecan, Coffee, "
              "Salted Caramel, Cookie Dough, Pistachio, Neapolitan, Chocolate Fudge Brownie, Black Cherry, Coconut, "
              "Peach", "Organic, Light, Dairy-Free, Premium, No Sugar Added"),
        _line("Frozen {}", 229, "400 g=1, 900 g=2",
              "Peas, Sweet Corn, Green Beans, Broccoli Florets, Mixed Vegetables, Spinach, Cauliflower Rice, "
              "Stir-Fry Vegetables, Brussels Sprouts, Edamame, Butternut Squash, Peas & Carrots", "Organic, Steamable"),
        _line("Frozen {}", 399, "450 g=1, 1 kg=2",
              "Strawberries, Blueberries, Mango Chunks, Mixed Berries, Raspberries, Cherries, Pineapple Chunks, "
              "Peaches, Acai Packs", "Organic"),
        _line("", 399, "300 g=1, 900 g=2.6",
              "Chicken Alfredo, Beef Lasagna, Macaroni & Cheese, Chicken Tikka Masala, Beef Burrito, Vegetable Curry, "
              "Teriyaki Chicken, Swedish Meatballs, Shepherd's Pie, Chicken Pot Pie, Pad Thai, Cheese Enchiladas, "
              "Fettuccine Alfredo", "Organic, Lean, Protein"),
        _line("Frozen Waffles", 299, "10 pack=1, 24 pack=2.1",
              "Homestyle, Buttermilk, Blueberry, Whole Grain, Chocolate Chip, Cinnamon",
              "Organic, Gluten-Free, Protein"),
        _line("", 349, "900 g=1, 2 kg=2",
              "French Fries, Crinkle Fries, Shoestring Fries, Waffle Fries, Sweet Potato Fries, Hash Browns, "
              "Tater Tots, Curly Fries", "Seasoned, Extra Crispy"),
    ),
    _category(
        "Household", "grocery", 800, 5,
        f"Sparkle Home, PureNest, CleanCrest, Fresh Day, Tidy House, Green Leaf Home, Brightwash, {_HOUSE}",
        _line("Dish Soap", 249, "500 ml=1, 1 L=1.7",
              "Original, Lemon, Lavender, Green Apple, Fragrance-Free, Ocean Breeze, Grapefruit",
              "Ultra, Eco, Antibacterial"),
        _line("Laundry Detergent", 999, "1.5 L=1, 3 L=1.8, 5 L=2.8",
              "Original, Fresh Linen, Lavender, Free & Clear, Spring Meadow, Mountain Air, Sensitive",
              "Concentrated, Eco, High Efficiency"),
        _line("Laundry Pods", 1299, "24 count=1, 42 count=1.6, 72 count=2.6",
              "Original, Fresh Linen, Lavender, Free & Clear, Spring Meadow, Mountain Air, Sensitive", "Eco"),
        _line("Paper Towels", 599, "2 rolls=1, 6 rolls=2.6, 12 rolls=4.8", "Select-a-Size, Full Sheet, Printed",
              "Recycled, Ultra Strong"),
        _line("Toilet Paper", 499, "4 rolls=1, 12 rolls=2.7, 24 rolls=5", "2-Ply, 3-Ply, Ultra Soft, Septic-Safe",
              "Recycled, Mega Roll, Bamboo"),
        _line("Trash Bags", 599, "50 L (20)=1, 50 L (50)=2.2, 120 L (20)=1.6, 120 L (40)=2.9",
              "Kitchen, Drawstring, Heavy Duty, Outdoor, Recycling", "Scented, Odor Control, Extra Strong"),
        _line("All-Purpose Cleaner", 349, "750 ml=1, 1.5 L=1.7", _CLEANER_SCENTS, "Eco, Disinfecting, Concentrated"),
        _line("Bathroom Cleaner", 399, "750 ml=1, 1.5 L=1.7", _CLEANER_SCENTS, "Eco, Disinfecting, Concentrated"),
        _line("Kitchen Cleaner", 379, "750 ml=1, 1.5 L=1.7", _CLEANER_SCENTS, "Eco, Disinfecting, Concentrated"),
        _line("Floor Cleaner", 449, "1 L=1, 2 L=1.8", _CLEANER_SCENTS, "Eco, Disinfecting, Concentrated"),
        _line("Sponges", 299, "3 pack=1, 6 pack=1.8", "Scrub, Non-Scratch, Heavy Duty, Cellulose",
              "Eco, Antibacterial"),
        _line("Aluminum Foil", 399, "25 m=1, 50 m=1.8", "Standard, Heavy Duty, Non-Stick"),
        _line("Storage Bags", 349, "25 count=1, 50 count=1.8",
              "Sandwich, Snack, Quart, Gallon, Freezer Quart, Freezer Gallon", "Compostable"),
    ),
    _category(
        "Personal Care", "grocery", 800, 5,
        "Pure Petal, Glow Botanics, Fresh Ritual, Oakleaf Naturals, Silverleaf, Daily Bloom, Sea Mist, "
        f"Honeycomb & Co., Alpine Care, {_HOUSE}",
        _line("Shampoo", 599, "250 ml=1, 400 ml=1.4, 750 ml=2.2", _SCENTS,
              "Moisturizing, Volumizing, Anti-Dandruff, Color Care, Clarifying, Sulfate-Free"),
        _line("Conditioner", 599, "250 ml=1, 400 ml=1.4, 750 ml=2.2", _SCENTS,
              "Moisturizing, Volumizing, Anti-Dandruff, Color Care, Clarifying, Sulfate-Free"),
        _line("Body Wash", 549, "400 ml=1, 750 ml=1.6", _SCENTS, "Moisturizing, Exfoliating, Sensitive, Sport"),
        _line("Bar Soap", 349, "3 pack=1, 6 pack=1.8", _SCENTS, "Moisturizing, Exfoliating, Sensitive"),
        _line("Hand Soap", 299, "250 ml=1, 1 L=2.6", _SCENTS, "Foaming, Antibacterial, Moisturizing"),
        _line("Body Lotion", 599, "250 ml=1, 500 ml=1.7", _SCENTS, "Daily, Intensive, Sensitive"),
        _line("Toothpaste", 349, "100 ml=1, 2 x 100 ml=1.8",
              "Mint, Cool Mint, Spearmint, Cinnamon, Charcoal, Baking Soda, Herbal, Strawberry Kids",
              "Whitening, Sensitive, Cavity Protection, Fluoride-Free, Enamel Care"),
        _line("Deodorant", 449, "75 g=1, 2 x 75 g=1.8",
              "Unscented, Fresh, Cedarwood, Lavender, Citrus, Ocean, Vanilla, Eucalyptus",
              "Aluminum-Free, Clinical, Natural, Sport"),
        _line("Razors", 899, "4 pack=1, 8 pack=1.8", "3-Blade, 5-Blade, Disposable, Sensitive"),
    ),
    _category(
        "Beer", "grocery", 2000, 2,
        "Harbor Lights Brewing, Copper Hill Brewing, Old Quarry Brewing, Red Fox Ales, Northwind Brewing, "
        "Lantern Bay Brewing",
        _line("", 1099, "473 ml=0.35, 6 x 355 ml=1, 12 x 355 ml=1.8, 24 x 355 ml=3.3",
              "IPA, Hazy IPA, Double IPA, Pale Ale, Lager, Pilsner, Amber Ale, Stout, Porter, Wheat Beer, Sour Ale, "
              "Brown Ale, Session IPA, Hefeweizen, Kolsch, Helles", "Non-Alcoholic, Barrel-Aged, Seasonal"),
        _line("Hard Seltzer", 1299, "6 x 355 ml=1, 12 x 355 ml=1.8",
              "Lime, Black Cherry, Mango, Grapefruit, Raspberry, Variety Pack"),
        _line("Hard Cider", 999, "4 x 355 ml=1, 6 x 355 ml=1.4", "Dry, Semi-Sweet, Rose, Pear, Berry, Ginger"),
    ),
    _category(
        "Wine", "grocery", 2000, 2,
        "Stone Bridge Cellars, Rolling Vine, Sunset Ridge Winery, Willow Creek Estate, Silver Fern Vineyards",
        _line("", 1299, "375 ml=0.55, 750 ml=1, 1.5 L=1.8",
              "Cabernet Sauvignon, Merlot, Pinot Noir, Zinfandel, Malbec, Syrah, Chardonnay, Sauvignon Blanc, "
              "Pinot Grigio, Riesling, Rose, Prosecco, Moscato, Red Blend, Tempranillo, Grenache, Chenin Blanc, "
              "Gewurztraminer, Viognier, Sangiovese", "Reserve, Organic, Old Vine, Estate"),
        _line("Sparkling Wine", 1599, "750 ml=1", "Brut, Extra Dry, Rose, Blanc de Blancs", "Reserve"),
    ),
    _category(
        "Pet Supplies", "grocery", 800, 2,
        f"Happy Paws, Whisker & Tail, Loyal Companion, Good Boy Kitchen, {_HOUSE}",
        _line("Dry Dog Food", 1499, "1.5 kg=1, 5 kg=2.8, 12 kg=5.5", _DOG_RECIPES,
              "Grain-Free, Puppy, Senior, Small Breed, Large Breed, Weight Control"),
        _line("Wet Dog Food", 249, "375 g=1, 12 x 375 g=10", _DOG_RECIPES,
              "Grain-Free, Puppy, Senior, Small Breed, Large Breed, Weight Control"),
        _line("Dry Cat Food", 1299, "1.5 kg=1, 4 kg=2.4", _CAT_RECIPES,
              "Indoor, Kitten, Senior, Hairball Control, Grain-Free"),
        _line("Wet Cat Food", 129, "85 g=1, 12 x 85 g=10", _CAT_RECIPES,
              "Indoor, Kitten, Senior, Hairball Control, Grain-Free"),
        _line("Cat Litter", 999, "5 kg=1, 10 kg=1.8",
              "Clumping, Unscented Clumping, Lavender Clumping, Crystal, Pine Pellet", "Multi-Cat, Low Dust"),
        _line("Dog Treats", 599, "200 g=1, 500 g=2.2",
              "Chicken, Beef, Peanut Butter, Bacon, Sweet Potato, Lamb, Salmon", "Dental, Training, Grain-Free, Jerky"),
    ),
)

# ----------------------------------------------------------------------------------------------------- hardware


_SCREW_SIZES = _grid(
    "{d:g}x{length} mm ({pack})",
    lambda d, length, pack: (d * length / 160) ** 0.8 * (pack / 100) ** 0.85,
    lambda d, length, pack: 4 * d <= length <= 25 * d,
    d=(3, 3.5, 4, 4.5, 5, 6),
    length=(12, 16, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 100, 120),
    pack=(25, 50, 100, 200, 500),
)
_DRYWALL_SCREW_SIZES = _grid(
    "{d:g}x{length} mm ({pack})",
    lambda d, length, pack: (length / 35) ** 0.7 * (pack / 250) ** 0.85,
    d=(3.5, 3.9, 4.2),
    length=(25, 35, 45, 55, 65),
    pack=(100, 250, 500, 1000),
)
_BOLT_SIZES = _grid(
    "M{m}x{length} mm ({pack})",
    lambda m, length, pack: (m * length / 240) ** 0.8 * (pack / 10) ** 0.85,
    lambda m, length, pack: length >= 2 * m,
    m=(5, 6, 8, 10, 12),
    length=(16, 20, 25, 30, 40, 50, 60, 80, 100),
    pack=(4, 10, 25),
)
_NUT_SIZES = _grid(
    "M{m} ({pack})", lambda m, pack: (m / 6) ** 1.2 * (pack / 25) ** 0.85, m=(3, 4, 5, 6, 8, 10, 12, 16),
    pack=(10, 25, 50, 100),
)
_NAIL_SIZES = _grid(
    "{d:g}x{length} mm ({weight})",
    lambda d, length, weight: {"250 g": 0.6, "500 g": 1.0, "1 kg": 1.8}[weight],
    lambda d, length, weight: 12 * d <= length <= 35 * d,
    d=(1.6, 2, 2.5, 2.8, 3.1, 3.4, 4),
    length=(25, 30, 40, 50, 65, 75, 90, 100),
    weight=("250 g", "500 g", "1 kg"),
)
_DRILL_BIT_SIZES = _grid(
    "{d:g} mm", lambda d: 0.5 + d / 6, d=tuple(n / 2 for n in range(2, 27))
)
_MASONRY_BIT_SIZES = _grid(
    "{d:g}x{length} mm",
    lambda d, length: (d / 6) ** 0.8 * (length / 150) ** 0.6,
    lambda d, length: length >= 15 * d,
    d=(4, 5, 5.5, 6, 6.5, 7, 8, 10, 12, 14, 16),
    length=(110, 150, 210, 260, 400),
)
_BIT_SIZES = _grid(
    "{tip} {length} mm ({pack})",
    lambda tip, length, pack: (length / 25) ** 0.5 * (pack / 10) ** 0.8,
    tip=("PH1", "PH2", "PH3", "PZ1", "PZ2", "PZ3", "T10", "T15", "T20", "T25", "T27", "T30", "T40", "SL4",
         "SL5.5", "SL6.5", "H3", "H4", "H5", "H6"),
    length=(25, 50, 90),
    pack=(2, 5, 10),
)
_SAW_BLADE_SIZES = _grid(
    "{d} mm {teeth}T",
    lambda d, teeth: (d / 190) ** 1.2 * (teeth / 48) ** 0.5,
    d=(140, 160, 165, 184, 190, 210, 216, 235, 254, 305),
    teeth=(24, 40, 48, 60, 80),
)
_SANDING_DISC_SIZES = _grid(
    "{d} mm P{grit} ({pack})",
    lambda d, grit, pack: (d / 125) ** 1.5 * (pack / 10) ** 0.8,
    d=(115, 125, 150, 225),
    grit=(40, 60, 80, 120, 180, 240, 320, 400),
    pack=(5, 10, 25, 50),
)
_BATTERY_PACK_SIZES = _grid(
    "{volts}V {ah:.1f} Ah",
    lambda volts, ah: (volts / 18) * (ah / 4) ** 0.8,
    volts=(12, 18, 36),
    ah=(2, 3, 4, 5, 6, 8),
)
_LED_BULB_SIZES = _grid(
    "{base} {watts}W ({pack})",
    lambda base, watts, pack: (watts / 9) ** 0.3 * pack**0.85,
    base=("E27", "E14", "GU10", "B22", "GU5.3", "G9"),
    watts=(3, 5, 7, 9, 11, 15),
    pack=(1, 3, 10),
)
_CABLE_TIE_SIZES = _grid(
    "{w:g}x{length} mm ({pack})",
    lambda w, length, pack: (w * length / 720) ** 0.7 * (pack / 100) ** 0.85,
    lambda w, length, pack: length <= 80 * w,
    w=(2.5, 3.6, 4.8, 7.6),
    length=(100, 150, 200, 300, 370, 450),
    pack=(50, 100, 500),
)
_PIPE_FITTING_SIZES = _grid(
    "{d} mm ({pack})", lambda d, pack: (d / 15) ** 1.1 * pack**0.9, d=(10, 15, 22, 28), pack=(1, 2, 5)
)
_HINGE_SIZES = (
    "50 mm (2)=0.8, 63 mm (2)=0.9, 75 mm (2)=1, 75 mm (3)=1.4, 100 mm (2)=1.3, 100 mm (3)=1.8, 125 mm (2)=1.7"
)
_PAINT_COLOURS = (
    "Chalk White, Pure Brilliant White, Soft Cream, Magnolia, Dove Grey, Slate Grey, Charcoal, Sage Green, "
    "Forest Green, Duck Egg Blue, Navy, Ocean Blue, Terracotta, Blush Pink, Mustard Yellow, Sand, Stone, Taupe, "
    "Warm Linen, Mint, Lavender, Plum, Burgundy, Olive, Teal, Sky Blue, Coral, Ivory, Oatmeal, Pebble, Graphite, "
    "Jet Black, Mushroom, Ochre, Peach, Cornflower, Heather, Moss, Seafoam, Clay"
)
_PAINT_SIZES = "1 L=1, 2.5 L=2.2, 5 L=3.8, 10 L=6.8"
_PAINT_QUALITIES = "Washable, Durable, One Coat, Kitchen & Bathroom"
_FINISHES = "Brass, Satin Chrome, Polished Chrome, Matt Black, Stainless Steel, Antique Bronze"
_FASTENER_FINISHES = "Zinc-Plated, Stainless, Galvanised"
_FITTINGS = (
    "Straight Coupler, Elbow, Equal Tee, Reducing Coupler, Tap Connector, Stop End, Wall Plate Elbow, "
    "Male Iron Adaptor, Female Iron Adaptor"
)

HARDWARE = (
    _category(
        "Fasteners", "hardware", 2000, 10,
        "Brasswell, Ironvale, Steelmark, FixRight, Holdfast, Boltworks, TrueThread, Northbolt, Harbor Pro, Kingpin",
        _line("Wood Screws", 499, _SCREW_SIZES, ", Stainless, Yellow Zinc, Black", "Torx, Pozidriv"),
        _line("Drywall Screws", 699, _DRYWALL_SCREW_SIZES, "Fine Thread, Coarse Thread", "Phosphated"),
        _line("Hex Bolts", 349, _BOLT_SIZES, _FASTENER_FINISHES, "Fully Threaded"),
        _line("Hex Nuts", 249, _NUT_SIZES, _FASTENER_FINISHES, "Nylon Lock, Flange"),
        _line("Washers", 199, _NUT_SIZES, _FASTENER_FINISHES, "Penny, Spring"),
        _line("Wall Plugs", 299, _grid("{d} mm ({pack})", lambda d, pack: (d / 6) * (pack / 50) ** 0.85,
                                       d=(5, 6, 8, 10, 12), pack=(20, 50, 100, 200)),
              "Nylon, Universal, Plasterboard, Frame"),
        _line("{} Nails", 399, _NAIL_SIZES, "Round Wire, Oval Wire, Panel Pin, Clout, Masonry, Lost Head",
              "Galvanised, Bright"),
        _line("Threaded Rod", 299, "M6 x 1 m=0.8, M8 x 1 m=1, M10 x 1 m=1.4, M12 x 1 m=2, M16 x 1 m=3.2",
              "Zinc-Plated, Stainless"),
    ),
    _category(
        "Hand Tools", "hardware", 2000, 10,
        "Ironvale, Steelmark, Forgewell, Toolsmith, Granite Edge, Harbor Pro, Redline Tools, Trueline",
        _line("Combination Spanner", 599, _grid("{d} mm", lambda d: (d / 13) ** 0.9, d=tuple(range(6, 33))),
              "", "Ratcheting, Offset, Flex-Head"),
        _line("Spanner Set", 2499, "6 pcs=1, 8 pcs=1.3, 12 pcs=1.9, 22 pcs=3.2", "Metric, Imperial",
              "Ratcheting, Offset"),
        _line("Socket Set", 2999, "1/4 in 25 pcs=1, 3/8 in 40 pcs=1.6, 1/2 in 24 pcs=1.8, 94 pcs=3.5, 216 pcs=6",
              "Metric, Impact", "Deep, Compact"),
        _line("{} Hammer", 1499, "300 g=0.8, 450 g=1, 570 g=1.2, 680 g=1.4, 900 g=1.7",
              "Claw, Ball Pein, Club, Framing, Tack, Joiner's, Brick", "Fibreglass, Steel, Wooden Handle, Anti-Vibe"),
        _line("Screwdriver", 499,
              "SL3x75=0.8, SL5.5x100=1, SL8x150=1.3, PH0x60=0.8, PH1x80=0.9, PH2x100=1, PH3x150=1.3, PZ1x80=0.9, "
              "PZ2x100=1, PZ3x150=1.3, T10x60=0.9, T15x80=0.9, T20x100=1, T25x100=1, T30x115=1.1",
              "", "Insulated VDE, Stubby, Magnetic, Soft-Grip"),
        _line("Screwdriver Set", 1999, "6 pcs=1, 8 pcs=1.3, 12 pcs=1.8, 32 pcs=2.4", "",
              "Insulated VDE, Precision, Magnetic, Ratchet"),
        _line("{} Pliers", 1299, "125 mm=0.8, 160 mm=1, 180 mm=1.15, 200 mm=1.3, 250 mm=1.6",
              "Combination, Long Nose, Diagonal Cutting, Slip Joint, Water Pump, Locking, Needle Nose, End Cutting, "
              "Circlip, Wire Stripping", "Insulated VDE, Soft-Grip, Professional"),
        _line("Tape Measure", 899, "3 m x 16 mm=0.8, 5 m x 19 mm=1, 5 m x 25 mm=1.2, 8 m x 25 mm=1.5, 10 m x 32 mm=2",
              "", "Magnetic, Auto-Lock, Pro"),
        _line("{} Spirit Level", 1499, "30 cm=0.7, 40 cm=0.8, 60 cm=1, 80 cm=1.2, 100 cm=1.4, 120 cm=1.6, "
              "180 cm=2.2, 200 cm=2.4", "Box, I-Beam, Torpedo, Digital", "Magnetic"),
        _line("Wood Chisel", 899, _grid("{d} mm", lambda d: (d / 16) ** 0.5, d=(6, 8, 10, 12, 16, 18, 20, 25, 32, 38)),
              "", "Bevel Edge, Mortise"),
        _line("{} Saw", 1799, "150 mm=0.6, 250 mm=0.8, 300 mm=0.9, 350 mm=1, 400 mm=1.1, 500 mm=1.3, 550 mm=1.4",
              "Panel, Tenon, Coping, Japanese Pull, Dovetail, Plasterboard, Flush Cut, Bow",
              "Hardpoint, Fine Cut, Universal"),
        _line("{} Utility Knife", 799, "9 mm=0.8, 18 mm=1, 25 mm=1.3", "Snap-Off, Retractable, Folding, Fixed Blade",
              "Auto-Lock, Heavy Duty"),
        _line("Hex Key Set", 999, "9 pcs=1, 10 pcs=1.1, 13 pcs=1.4", "Metric, Ball-End, Torx, Folding"),
        _line("{} File", 799, "150 mm=0.8, 200 mm=1, 250 mm=1.2, 300 mm=1.4",
              "Flat, Half-Round, Round, Square, Triangular, Needle", "Bastard Cut, Second Cut, Smooth Cut"),
        _line("", 999, "50 mm=0.6, 100 mm=0.8, 150 mm=1, 200 mm=1.2, 300 mm=1.5, 450 mm=1.9, 600 mm=2.3, 900 mm=3",
              "F-Clamp, G-Clamp, Bar Clamp, Spring Clamp, Corner Clamp, Quick-Release Clamp",
              "Heavy Duty, One-Handed"),
    ),
    _category(
        "Power Tools & Accessories", "hardware", 2000, 8,
        "Boltworks, Redline Tools, Voltmax, DrillPro, Forgewell, Harbor Pro, Kingpin, Torqline",
        _line("{} Drill Bit", 199, _DRILL_BIT_SIZES, "HSS, HSS-Co Cobalt, HSS-TiN, HSS-G Ground",
              "Stubby, Long Series, Jobber"),
        _line("{} Drill Bit", 299, _MASONRY_BIT_SIZES, "Masonry, SDS Plus, SDS Max, Multi-Purpose, Tile & Glass",
              "Carbide, Pro"),
        _line("{} Bit", 499, _grid("{d} mm", lambda d: (d / 20) ** 0.8, d=tuple(range(10, 42, 2))),
              "Spade, Forstner, Auger"),
        _line("{} Screwdriver Bits", 399, _BIT_SIZES, "Impact, Torsion, Diamond-Coated, Standard"),
        _line("Jigsaw Blades", 499, _grid(
            "{code} ({pack})", lambda code, pack: (pack / 5) ** 0.8,
            code=("T101B", "T101BR", "T111C", "T118A", "T127D", "T144D", "T101AO", "T301CD", "T308B", "T345XF"),
            pack=(2, 3, 5, 10, 25)), "", "Bi-Metal, HCS, HSS"),
        _line("Circular Saw Blade", 2499, _SAW_BLADE_SIZES, "Wood, Aluminium, Laminate, Multi-Material",
              "Thin Kerf, Fine Finish"),
        _line("Sanding Discs", 499, _SANDING_DISC_SIZES, "Hook & Loop, Mesh"),
        _line("Battery Pack", 5999, _BATTERY_PACK_SIZES, "", "Li-Ion, Compact, High Output"),
        _line("Cordless {}", 8999, "12V Body Only=0.7, 12V 2 x 2.0 Ah=1.2, 18V Body Only=1, 18V 2 x 4.0 Ah=1.8, "
              "18V 1 x 5.0 Ah=1.5",
              "Drill Driver, Combi Drill, Impact Driver, Jigsaw, Circular Saw, Angle Grinder, Random Orbital Sander, "
              "Multi-Tool, Reciprocating Saw, SDS Hammer Drill", "Brushless, Compact"),
    ),
    _category(
        "Paint & Decorating", "hardware", 2000, 8,
        "Colourhouse, Brightcoat, Hue & Co., Northern Light Paints, Harbor Pro, Pure Pigment",
        _line("Matt Emulsion", 1499, _PAINT_SIZES, _PAINT_COLOURS, _PAINT_QUALITIES),
        _line("Silk Emulsion", 1599, _PAINT_SIZES, _PAINT_COLOURS, _PAINT_QUALITIES),
        _line("Eggshell", 1799, _PAINT_SIZES, _PAINT_COLOURS, _PAINT_QUALITIES),
        _line("Satinwood", 1899, _PAINT_SIZES, _PAINT_COLOURS, _PAINT_QUALITIES),
        _line("Gloss", 1899, _PAINT_SIZES, _PAINT_COLOURS, _PAINT_QUALITIES),
        _line("Masonry Paint", 2999, "5 L=1, 10 L=1.8",
              "Pure Brilliant White, Magnolia, Sandstone, Cornish Cream, Black, Slate Grey, Country Cream, "
              "Sage Green, Terracotta", "Smooth, Textured, Weatherproof"),
        _line("{} Primer", 1299, "750 ml=1, 2.5 L=2.4", "Wood, Metal, Multi-Surface, Plaster, Stain Block, Tile",
              "Quick-Drying, Low Odour"),
        _line("Wood Stain", 1399, "250 ml=0.5, 750 ml=1, 2.5 L=2.5",
              "Light Oak, Dark Oak, Walnut, Mahogany, Teak, Ebony, Natural, Antique Pine, Cherry, Grey Wash",
              "Quick-Drying, Exterior"),
        _line("Paint Brush", 399, _grid("{w} mm", lambda w: (w / 25) ** 0.8, w=(12, 19, 25, 38, 50, 63, 75, 100)),
              "Synthetic, Natural Bristle, Angled Sash", "Pro, Precision"),
        _line("Paint Roller Kit", 999, "100 mm=0.6, 180 mm=0.8, 230 mm=1, 300 mm=1.3",
              "Short Pile, Medium Pile, Long Pile"),
        _line("Masking Tape", 349, "19 mm x 25 m=0.8, 25 mm x 25 m=1, 38 mm x 25 m=1.4, 50 mm x 25 m=1.8, "
              "19 mm x 50 m=1.5, 25 mm x 50 m=1.8, 38 mm x 50 m=2.5, 50 mm x 50 m=3.2",
              "General Purpose, Delicate Surface, Exterior, Multi-Surface"),
        _line("Sandpaper", 399, _grid("P{grit} ({pack})", lambda grit, pack: (pack / 10) ** 0.85,
                                      grit=(40, 60, 80, 100, 120, 150, 180, 240, 320, 400), pack=(5, 10, 25)),
              "Aluminium Oxide, Silicon Carbide, Wet & Dry"),
        _line("{} Filler", 599, "330 g=0.7, 600 g=1, 1 kg=1.4, 2.5 kg=2.6",
              "Multi-Purpose, Wood, Fine Surface, Deep Gap, Exterior", "Ready-Mixed, Powder"),
    ),
    _category(
        "Plumbing", "hardware", 2000, 6,
        "AquaFlow, PipeMaster, Tapwell, Harbor Pro, Brasswell, FlowRight",
        _line("Compression {}", 299, _PIPE_FITTING_SIZES, _FITTINGS, "Brass, Chrome-Plated"),
        _line("Push-Fit {}", 349, _PIPE_FITTING_SIZES, _FITTINGS, "Grey, White"),
        _line("End Feed {}", 149, _PIPE_FITTING_SIZES, _FITTINGS, "Copper, Solder Ring"),
        _line("Copper Pipe", 699, _grid("{d} mm x {length} m", lambda d, length: (d / 15) ** 1.4 * length,
                                        d=(10, 15, 22, 28), length=(1, 2, 3))),
        _line("PEX Pipe", 1999, _grid("{d} mm x {length} m", lambda d, length: (d / 15) * (length / 10),
                                      d=(10, 15, 22), length=(10, 25, 50)), "", "Barrier"),
        _line("Waste Pipe", 599, "32 mm x 3 m=0.8, 40 mm x 3 m=1, 50 mm x 3 m=1.4", "PVC-U, ABS", "White, Grey"),
        _line("{} Tap", 4999, "", "Kitchen Mixer, Basin Mixer, Bath Filler, Bath Shower Mixer, Outdoor, Pillar",
              "Chrome, Brushed Steel, Matt Black, Brushed Brass"),
        _line("Shower Head", 1999, "100 mm=0.7, 150 mm=0.9, 200 mm=1, 250 mm=1.3, 300 mm=1.6",
              "Rainfall, Multi-Function, Eco, Handheld", "Chrome, Matt Black, Brushed Nickel"),
        _line("Shower Hose", 999, "1.25 m=0.9, 1.5 m=1, 1.75 m=1.1, 2 m=1.2", "Stainless, PVC", "Anti-Twist"),
        _line("PTFE Tape", 149, "12 mm x 12 m=1, 19 mm x 15 m=1.4, 12 mm x 12 m (3)=2.4, 12 mm x 12 m (10)=6.5",
              "", "Gas, Heavy Duty"),
        _line("Tap Washers", 199, "1/2 in (10)=1, 3/4 in (10)=1.2, 1/2 in (25)=2.2", "Rubber, Fibre"),
    ),
    _category(
        "Electrical", "hardware", 2000, 8,
        "Voltmax, Lumina, Sparkline, Wattson, Harbor Pro, CurrentCo, Glowcraft",
        _line("LED Bulb", 399, _LED_BULB_SIZES, "Warm White, Cool White, Daylight, Smart RGB", "Dimmable, Filament, "
              "Frosted"),
        _line("{} Cable", 999, "5 m=0.6, 10 m=1, 25 m=2.2, 50 m=4, 100 m=7.5",
              "2-Core Flex, 3-Core Flex, Twin & Earth, Speaker, Coaxial, Cat6 Ethernet, Cat5e Ethernet",
              "Outdoor, Heavy Duty"),
        _line("{} Extension Lead", 1299, "2 m=0.9, 3 m=1, 5 m=1.2, 10 m=1.6", "2-Gang, 4-Gang, 6-Gang",
              "Surge-Protected, USB, Outdoor"),
        _line("{} Switch", 499, "", "1-Gang 1-Way, 1-Gang 2-Way, 2-Gang 2-Way, 3-Gang 2-Way, 1-Gang Dimmer, "
              "2-Gang Dimmer", "White, Brushed Chrome, Matt Black, Antique Brass, Polished Chrome"),
        _line("{} Socket", 699, "", "Single, Double, Double USB, Double USB-C, Outdoor",
              "White, Brushed Chrome, Matt Black, Antique Brass, Polished Chrome"),
        _line("Cartridge Fuse", 199, "1 A (4)=1, 3 A (4)=1, 5 A (4)=1, 13 A (4)=1, 3 A (10)=2, 13 A (10)=2, "
              "20 A (10)=2.2"),
        _line("{} Batteries", 399, "2 pack=0.6, 4 pack=1, 8 pack=1.8, 12 pack=2.5, 24 pack=4.5",
              "AA, AAA, C, D, 9V, CR2032, CR2025, LR44", "Alkaline, Lithium, Rechargeable, Heavy Duty"),
        _line("{} Torch", 1499, "100 lm=0.6, 250 lm=0.8, 500 lm=1, 1000 lm=1.6, 2000 lm=2.5",
              "LED, Head, Rechargeable, Work, Pen", "Waterproof, Magnetic"),
        _line("Cable Ties", 399, _CABLE_TIE_SIZES, "Black, Natural, Red, Blue, Green, Yellow",
              "Reusable, UV-Resistant, Stainless"),
        _line("Insulating Tape", 149, "19 mm x 20 m=1, 19 mm x 33 m=1.5",
              "Black, Red, Blue, Yellow, Green-Yellow, White, Brown, Grey"),
    ),
    _category(
        "Adhesives & Sealants", "hardware", 2000, 5,
        "Holdfast, StickRight, Sealmaster, Bondline, Harbor Pro",
        _line("Silicone Sealant", 699, "80 ml=0.5, 310 ml=1, 2 x 310 ml=1.8",
              "Clear, White, Black, Grey, Brown, Almond, Beige",
              "Sanitary, Kitchen & Bath, Glazing, Anti-Mould, High Temperature"),
        _line("Decorators Caulk", 349, "310 ml=1, 380 ml=1.2", "White, Clear, Grey", "Flexible, Quick-Drying"),
        _line("{} Wood Glue", 499, "125 ml=0.6, 250 ml=1, 500 ml=1.6, 1 L=2.6, 5 L=9",
              "PVA, Waterproof PVA, Polyurethane, Express", "Interior, Exterior"),
        _line("Epoxy Adhesive", 699, "14 ml=0.7, 25 ml=1, 50 ml=1.6", "5-Minute, 30-Minute, Steel, Clear, Plastic"),
        _line("{} Super Glue", 399, "3 g=0.7, 5 g=1, 20 g=2.5", "Liquid, Gel, Brush-On, Precision"),
        _line("Duct Tape", 599, "48 mm x 10 m=0.6, 48 mm x 25 m=1, 48 mm x 50 m=1.7, 72 mm x 50 m=2.4",
              "Silver, Black, White, Red, Blue, Clear", "Heavy Duty, Waterproof, Cloth"),
        _line("Grab Adhesive", 599, "290 ml=1, 310 ml=1.05, 350 ml=1.15",
              "Instant, Heavy Duty, Solvent-Free, Clear, Exterior"),
        _line("Expanding Foam", 799, "500 ml=0.8, 750 ml=1", "Standard, Fire-Rated, Low Expansion, Gun-Grade"),
        _line("Mounting Tape", 499, "19 mm x 1.5 m=0.8, 19 mm x 5 m=1.6, 25 mm x 5 m=2",
              "Double-Sided, Heavy Duty Double-Sided, Clear Double-Sided", "Indoor, Outdoor"),
    ),
    _category(
        "Garden", "hardware", 2000, 6,
        "GreenThumb, Hedgerow, Meadowgate, Harbor Pro, Terra Garden, Rootwell",
        _line("", 999, "", "Trowel, Hand Fork, Transplanter, Weeder, Bulb Planter, Hand Cultivator",
              "Stainless Steel, Ergonomic, Carbon Steel"),
        _line("", 2999, "", "Digging Spade, Border Spade, Digging Fork, Border Fork, Garden Rake, Leaf Rake, "
              "Dutch Hoe, Draw Hoe, Edging Iron, Shovel", "Stainless Steel, Fibreglass Handle, Ash Handle"),
        _line("{} Garden Hose", 1999, _grid("{d:g} mm x {length} m", lambda d, length: (length / 25) * (d / 12.5),
                                            d=(12.5, 19), length=(15, 20, 25, 30, 50)),
              "Anti-Kink, Reinforced, Expandable, Flat"),
        _line("", 1999, "", "Bypass Secateurs, Anvil Secateurs, Loppers, Hedge Shears, Pruning Saw, Grass Shears",
              "Ratchet, Telescopic, Professional"),
        _line("{} Compost", 599, "10 L=0.4, 40 L=1, 50 L=1.2, 70 L=1.6, 3 x 50 L=3",
              "Multi-Purpose, Peat-Free, Ericaceous, John Innes No.2, Seed & Cutting, Tomato Planting",
              "Organic, Premium"),
        _line("{} Fertiliser", 799, "1 kg=1, 2.5 kg=2, 5 kg=3.5", "Lawn, Tomato, Rose, All-Purpose, Citrus, Shrub",
              "Organic, Slow-Release"),
        _line("{} Plant Pot", 499, "12 cm=0.4, 15 cm=0.6, 20 cm=1, 25 cm=1.5, 30 cm=2.2, 40 cm=3.5, 50 cm=5",
              "Terracotta, Plastic, Glazed Ceramic, Fibre Clay, Self-Watering", "Black, White, Grey, Green, Blue"),
        _line("{} Watering Can", 899, "1 L=0.5, 5 L=0.8, 10 L=1, 15 L=1.3", "Plastic, Galvanised, Indoor",
              "Long-Reach"),
    ),
    _category(
        "Seeds & Plants", "hardware", 500, 4,
        "GreenThumb, Meadowgate, Sunseed, Heirloom Hill, Terra Garden",
        _line("Seeds", 249, "1 packet=1, 3 packets=2.6",
              "Tomato Moneymaker, Tomato Gardener's Delight, Tomato San Marzano, Cherry Tomato Sweet Million, "
              "Cucumber Marketmore, Courgette Black Beauty, Carrot Nantes, Carrot Autumn King, Lettuce Little Gem, "
              "Lettuce Lollo Rosso, Radish French Breakfast, Beetroot Boltardy, Runner Bean Scarlet Emperor, "
              "French Bean Blue Lake, Pea Kelvedon Wonder, Spinach Perpetual, Kale Nero di Toscana, "
              "Pepper California Wonder, Chilli Cayenne, Pumpkin Atlantic Giant, Squash Butternut, Onion Red Baron, "
              "Leek Musselburgh, Broccoli Calabrese, Cabbage Golden Acre, Sweetcorn Incredible, Parsnip Gladiator, "
              "Swiss Chard Bright Lights", "Organic, F1 Hybrid, Heirloom"),
        _line("Herb Seeds", 199, "1 packet=1, 3 packets=2.6",
              "Basil, Coriander, Parsley, Chives, Dill, Thyme, Mint, Oregano, Sage, Rosemary", "Organic, Heirloom"),
        _line("Flower Seeds", 199, "1 packet=1, 3 packets=2.6",
              "Sunflower Giant, Sweet Pea Mix, Wildflower Mix, Cosmos, Nasturtium, Marigold, Zinnia, Poppy, "
              "Cornflower, Lavender, Snapdragon, Aster", "Organic, Heirloom, Bee-Friendly"),
        _line("Lawn Seed", 899, "500 g=0.6, 1 kg=1, 2.5 kg=2.2, 5 kg=4",
              "Hard-Wearing, Shade, Fast-Growing, Luxury, Patch Repair", "Premium"),
        _line("", 599, "9 cm pot=0.6, 1 L pot=1, 2 L pot=1.8, 3 L pot=2.5",
              "Lavender Hidcote, Rosemary, Thyme, Mint, Basil, Geranium, Petunia, Begonia, Fuchsia, Hydrangea, "
              "Boxwood, Rose Bush, Clematis, Tomato Plant", "Organic, Perennial"),
        _line("{} Bulbs", 499, "10 pack=1, 25 pack=2.2, 50 pack=4",
              "Tulip Red Emperor, Daffodil Tete-a-Tete, Crocus Mix, Allium Purple Sensation, Hyacinth Blue, "
              "Dutch Iris, Snowdrop, Gladiolus Mix, Dahlia Mix, Oriental Lily", "Organic"),
    ),
    _category(
        "Safety & Workwear", "hardware", 2000, 4,
        "SafeGuard, Ironvale, Worksafe, Harbor Pro, Toughline",
        _line("{} Gloves", 499, _grid("Size {size} ({pairs})", lambda size, pairs: pairs**0.85,
                                      size=("7 S", "8 M", "9 L", "10 XL", "11 XXL"), pairs=(1, 3)),
              "Nitrile-Coated, Leather Rigger, Cut-Resistant, Thermal, Latex-Coated, Mechanic's, Gardening",
              "Waterproof, Touchscreen, Heavy Duty"),
        _line("Disposable Nitrile Gloves", 999, "Size S (100)=1, Size M (100)=1, Size L (100)=1, Size XL (100)=1",
              "Blue, Black", "Powder-Free"),
        _line("{} Safety Glasses", 599, "1 pair=1, 3 pairs=2.5", "Clear, Tinted, Anti-Fog, Over-Spec, Yellow"),
        _line("Ear Defenders", 1499, "SNR 25 dB=0.8, SNR 30 dB=1, SNR 33 dB=1.3, SNR 37 dB=1.7", "",
              "Folding, Helmet-Mounted, Bluetooth"),
        _line("{} Dust Masks", 699, "3 pack=0.6, 5 pack=1, 10 pack=1.8, 20 pack=3.2", "FFP1, FFP2, FFP3",
              "Valved, Moulded"),
        _line("{} Safety Boots", 5999, _grid("EU {size}", lambda size: 1.0, size=tuple(range(39, 48))),
              "S1P, S3, S3 Waterproof, Rigger", "Composite Toe, Steel Toe"),
        _line("{} Hi-Vis Vest", 599, "Size M=1, Size L=1, Size XL=1, Size XXL=1.1, Size 3XL=1.2", "Yellow, Orange",
              "Zip, Executive"),
        _line("{} Work Trousers", 2999, _grid("W{waist} L{leg}", lambda waist, leg: 1.0,
                                              waist=(30, 32, 34, 36, 38, 40), leg=(30, 32)),
              "Black, Navy, Grey, Khaki", "Stretch, Kneepad, Cargo"),
    ),
    _category(
        "Storage & Ironmongery", "hardware", 2000, 5,
        "Brasswell, Ironvale, Hingecraft, Harbor Pro, Lockwell, Steelmark",
        _line("{} Hinges", 399, _HINGE_SIZES, "Butt, Flush, Piano, Tee, Strap, Rising Butt, Parliament, Cabinet",
              _FINISHES),
        _line("{} Door Handles", 1999, "", "Lever on Rose, Lever Latch, Lever Lock, Bathroom Lever, Mortice Knob",
              _FINISHES),
        _line("{} Padlock", 699, "20 mm=0.5, 30 mm=0.7, 40 mm=1, 50 mm=1.4, 60 mm=1.8, 70 mm=2.3",
              "Brass, Laminated Steel, Combination, Weatherproof, Long Shackle, Disc", "Keyed Alike, High Security"),
        _line("{} Shelf Brackets", 499,
              "100 mm (2)=0.7, 150 mm (2)=0.85, 200 mm (2)=1, 250 mm (2)=1.2, 300 mm (2)=1.4",
              "Steel, Heavy Duty, Floating, Decorative, Gallows", "White, Black, Silver, Brass"),
        _line("{} Hooks", 299, "2 pack=0.5, 5 pack=1, 10 pack=1.8, 20 pack=3.2",
              "Cup, Coat, Robe, Utility, Bike, Ceiling", "White, Black, Silver, Brass"),
        _line("{} Storage Box", 799, "10 L=0.6, 24 L=1, 32 L=1.2, 45 L=1.5, 60 L=1.9, 80 L=2.4",
              "Clear, Black, Grey, Blue", "Stackable, Heavy Duty, Underbed, Wheeled"),
        _line("{} Tool Box", 1999, "30 cm=0.7, 40 cm=1, 50 cm=1.3, 60 cm=1.6", "Plastic, Metal, Cantilever, Rolling"),
        _line("{} Chain", 699, "5 mm x 1 m=0.8, 6 mm x 1 m=1, 8 mm x 1 m=1.4, 10 mm x 1 m=2, 6 mm x 5 m=4",
              "Welded Link, Security, Decorative", "Galvanised, Stainless Steel"),
    ),
)
# fmt: on

CATEGORIES: dict[Kind, tuple[Category, ...]] = {
    "grocery": GROCERY,
    "hardware": HARDWARE,
    "mixed": GROCERY + HARDWARE,
}


def _company_prefixes() -> dict[tuple[ProductKind, str], str]:
    """Each brand's 7-digit GS1 company prefix. It depends on the word lists only, never on the seed."""
    prefixes: dict[tuple[ProductKind, str], str] = {}
    for kind, categories in (("grocery", GROCERY), ("hardware", HARDWARE)):
        countries = _GS1_COUNTRY[kind]
        brands = dict.fromkeys(brand for category in categories for brand in category.brands)
        for number, brand in enumerate(brands):
            country = countries[number % len(countries)]
            width = 7 - len(country)
            # 7919 is prime to 10, so distinct brand numbers get distinct company numbers.
            prefixes[kind, brand] = f"{country}{(number * 7919 + 2741) % 10**width:0{width}d}"
    return prefixes


COMPANY_PREFIXES = _company_prefixes()


def capacity(kind: Kind) -> int:
    """The most products a catalogue of this kind can hold with every name distinct."""
    return sum(category.capacity for category in CATEGORIES[kind])


def generate_products(n: int, *, seed: int, kind: Kind, shop_code: str) -> Iterator[GeneratedProduct]:
    """`n` distinct products: the same ones in the same order for the same arguments, and the first `k` of
    them are the `k`-product catalogue (the benchmarks' 20,000 are the start of their 100,000)."""
    if kind not in CATEGORIES:
        raise ValueError(f"kind must be one of {', '.join(CATEGORIES)}, got {kind!r}")
    if not 0 <= n <= capacity(kind):
        raise ValueError(f"a {kind} catalogue holds 0 to {capacity(kind)} distinct products, asked for {n}")
    if not shop_code:
        raise ValueError("shop_code is empty")
    return _products(n, random.Random(seed), CATEGORIES[kind], shop_code)


def _products(
    n: int, rng: random.Random, categories: tuple[Category, ...], shop_code: str
) -> Iterator[GeneratedProduct]:
    brands = dict.fromkeys(brand for category in categories for brand in category.brands)
    brand_price_factor = {brand: 0.85 + 0.4 * rng.random() for brand in brands}
    unused = {category: _LazyShuffle(category.capacity) for category in categories}
    open_categories = [category for category in categories if category.capacity]
    bounds = list(accumulate(category.weight for category in open_categories))
    issued: dict[tuple[ProductKind, str], int] = {}
    for number in range(1, n + 1):
        # Each product depends only on the draws before it, so a smaller catalogue is a prefix of a larger one.
        category = open_categories[bisect_right(bounds, rng.random() * bounds[-1])]
        brand, line, qualifier, flavour, (size, size_factor) = category.combination(unused[category].draw(rng))
        if unused[category].exhausted:
            open_categories.remove(category)
            bounds = list(accumulate(category.weight for category in open_categories))
        sku = f"{SKU_PREFIX[category.kind]}-{number:06d}"
        company = (category.kind, brand)
        item = issued.get(company, 0)
        issued[company] = item + 1
        jitter = 0.94 + 0.12 * rng.random()
        price = _shelf_price(
            line.price * size_factor * (1.2 if qualifier else 1.0) * brand_price_factor[brand] * jitter
        )
        reorder_point = _reorder_point(rng, price)
        yield GeneratedProduct(
            id=str(uuid.uuid5(PRODUCT_NAMESPACE, f"{shop_code}/{sku}")),
            sku=sku,
            barcode=_barcode(COMPANY_PREFIXES[company], item),
            name=" ".join(f"{brand} {qualifier} {line.body(flavour)} {size}".split()),
            category=category.name,
            price=price,
            tax_rate_bp=category.tax_rate_bp,
            active=rng.random() >= 0.03,
            on_hand=0 if rng.random() < 0.05 else 1 + _below(rng, 3 * reorder_point + 12),
            reorder_point=reorder_point,
        )


class _LazyShuffle:
    """range(size) in random order, one number at a time: a Fisher-Yates shuffle that stores only the swaps."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.drawn = 0
        self._swapped: dict[int, int] = {}

    @property
    def exhausted(self) -> bool:
        return self.drawn == self.size

    def draw(self, rng: random.Random) -> int:
        i = self.drawn
        j = i + _below(rng, self.size - i)
        pick = self._swapped.get(j, j)
        self._swapped[j] = self._swapped.pop(i, i)
        self.drawn += 1
        return pick


def _barcode(company_prefix: str, item: int) -> str:
    """The EAN-13 of a brand's `item`-th product (counting from 0, below ITEM_REFERENCES_PER_BRAND)."""
    # 7919 is prime to 10, so a brand's item references are distinct; the prefix offsets where each brand starts.
    reference = (int(company_prefix) + item * 7919) % ITEM_REFERENCES_PER_BRAND
    return ean13_from_body(f"{company_prefix}{reference:05d}")


def _below(rng: random.Random, n: int) -> int:
    return int(rng.random() * n)


def _shelf_price(minor: float) -> int:
    """A price as shops write them: x.x9 below 20.00, x9.99-style whole units above."""
    if minor >= 2000:
        return round(minor / 100) * 100 - 1
    return max(1, round(minor / 10)) * 10 - 1


def _reorder_point(rng: random.Random, price: int) -> int:
    """Cheap, fast-moving goods are reordered earlier than dear ones."""
    if price < 500:
        points = (6, 8, 10, 12, 15, 20, 24)
    elif price < 2000:
        points = (3, 4, 5, 6, 8, 10)
    else:
        points = (0, 1, 2, 3, 4)
    return points[_below(rng, len(points))]


def demo_document(*, shop_name: str, currency: str, kind: Kind, shop_code: str, count: int, seed: int) -> str:
    """A demo seed file: the shop, the arguments that made it, then the products one per line (for diffs)."""
    head = {
        "shop": {"name": shop_name, "currency": currency},
        "generated_by": {"kind": kind, "shop_code": shop_code, "count": count, "seed": seed},
    }
    products = generate_products(count, seed=seed, kind=kind, shop_code=shop_code)
    rows = ",\n".join(f"    {json.dumps(product)}" for product in products)
    fields = "".join(f"  {json.dumps(key)}: {json.dumps(value)},\n" for key, value in head.items())
    return f'{{\n{fields}  "products": [\n{rows}\n  ]\n}}\n'


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m common.catalogue_gen", description="Print a deterministic demo catalogue as JSON."
    )
    parser.add_argument("--kind", choices=list(CATEGORIES), required=True)
    parser.add_argument("--shop-code", required=True, help="part of every product id, e.g. CG")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--shop-name", required=True)
    parser.add_argument("--currency", required=True, help="ISO 4217 code, e.g. USD")
    args = parser.parse_args(argv)
    try:
        document = demo_document(
            shop_name=args.shop_name,
            currency=args.currency,
            kind=args.kind,
            shop_code=args.shop_code,
            count=args.count,
            seed=args.seed,
        )
    except ValueError as error:
        parser.error(str(error))
    sys.stdout.write(document)


if __name__ == "__main__":
    main()
