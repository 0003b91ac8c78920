"""Schedule: sessions (intro, workshops, office hours, deadlines), bookings, registers and iCal feeds."""
