# libxl's callers need a xentoollog logger (inventory_xen.c); the
# library is not in PKGS above.
LDLIBS += $(shell pkg-config --libs xentoollog 2>/dev/null)
