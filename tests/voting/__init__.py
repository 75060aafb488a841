"""Tests of the tally engine (voting/)."""
