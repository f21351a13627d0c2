"""The networks and the loss: CIFAR-stem ResNets, SimCLR and its heads, NT-Xent, strict checkpoint loading."""
