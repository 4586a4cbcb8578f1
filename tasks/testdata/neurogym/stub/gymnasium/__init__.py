# Minimal stand-in for gymnasium, enough to run NeuroGym's TrialEnv (and, for
# the Yang et al. 2019 collection, its TrialWrapper and ScheduleEnvs) in tests.
import numpy as np
from . import spaces


class Env:
    metadata = {}

    def __init__(self): pass

    def reset(self, seed=None, options=None):
        pass

    @property
    def unwrapped(self):
        return self


class Wrapper(Env):
    # gymnasium's Wrapper: spaces default to the wrapped env's, and step,
    # reset and unknown attributes go to it.
    def __init__(self, env):
        self.env = env

    @property
    def unwrapped(self):
        return self.env.unwrapped

    @property
    def observation_space(self):
        return self.__dict__.get("_observation_space") or self.env.observation_space

    @observation_space.setter
    def observation_space(self, space):
        self.__dict__["_observation_space"] = space

    @property
    def action_space(self):
        return self.__dict__.get("_action_space") or self.env.action_space

    @action_space.setter
    def action_space(self, space):
        self.__dict__["_action_space"] = space

    def step(self, action):
        return self.env.step(action)

    def reset(self, **kwargs):
        return self.env.reset(**kwargs)

    def __getattr__(self, name):
        if name.startswith("_") or name == "env":
            raise AttributeError(name)
        return getattr(self.env, name)


def make(*a, **k): raise NotImplementedError
