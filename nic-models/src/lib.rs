//! nic-models: placeholder until its first module lands.
