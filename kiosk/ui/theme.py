"""Colours and sizes for elderly eyes and fingers (see STYLE.md, the kiosk section).

Every colour pair used for text is at least 7:1; the tests recompute the
ratio from the widgets themselves.
"""

PAGE = (0.96, 0.96, 0.94, 1)  # warm white page
INK = (0.07, 0.07, 0.07, 1)  # body text on the page
MUTED = (0.22, 0.22, 0.22, 1)  # secondary text, still 7:1 on PAGE
WHITE = (1, 1, 1, 1)
TILE = (0.04, 0.24, 0.38, 1)  # dark blue tiles, white text
TILE_ALT = (0.05, 0.33, 0.19, 1)  # dark green: confirm / go on
TILE_SOFT = (0.86, 0.89, 0.93, 1)  # light tiles, dark text
TILE_PICKED = (0.48, 0.24, 0.0, 1)  # a chosen phrase or item: dark amber, white text
DANGER = (0.63, 0.0, 0.0, 1)  # emergency help
HEADER = (0.10, 0.10, 0.12, 1)
BANNER = (0.98, 0.91, 0.62, 1)  # offline banner, dark text

# Sizes in dp / sp; the tests check the widgets against the STYLE.md minimums.
TILE_FONT = 32
BODY_FONT = 24
BIG_FONT = 40
HUGE_FONT = 64
BUTTON_HEIGHT = 72
HEADER_HEIGHT = 88
GAP = 16
# Kivy's line_height multiplies the font's own line height, which for Noto Sans CJK is
# about 1.45 times the font size: 1.0 gives lines 1.45 em apart, above STYLE.md's 1.3.
LINE_HEIGHT = 1.0
