def flatdim(*a): raise NotImplementedError
flatten = unflatten = flatdim
