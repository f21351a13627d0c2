"""Model packages: the hubconf contract, reading a hubconf without running it, importing a package, the one
build path from a card to a network, the device, data-parallel launches, the input shape, and serving hub
cards."""
